using Memic.Core.Connectors;

namespace Memic.Core.Ports;

/// <summary>
/// The catalog's connector part (CONTRACT §14). A connector belongs to one environment; looked up by id alone (the
/// admin API's <c>/connectors/{id}</c>) it carries its environment, so callers can check it. Connectors go with their environment.
/// </summary>
public interface IConnectorCatalog
{
    /// <summary>Stores a new connector; an environment that no longer exists is a <see cref="Errors.NotFoundException"/>.</summary>
    Task AddConnectorAsync(Connector connector, CancellationToken cancellationToken);

    Task<Connector?> GetConnectorAsync(Guid connectorId, CancellationToken cancellationToken);

    /// <summary>The environment's connectors, oldest first.</summary>
    Task<IReadOnlyList<Connector>> ListConnectorsAsync(Guid environmentId, CancellationToken cancellationToken);

    /// <summary>Replaces a stored connector's state (status, error, tables, refreshed_at); no-op when it is gone.</summary>
    Task UpdateConnectorAsync(Connector connector, CancellationToken cancellationToken);

    /// <summary>Removes the connector if it exists; idempotent.</summary>
    Task RemoveConnectorAsync(Guid connectorId, CancellationToken cancellationToken);
}

/// <summary>
/// Where connection strings live: Key Vault secret <c>connector-&lt;id&gt;</c> in Azure, encrypted at rest locally. They
/// are never returned by the API, never logged, never on disk in plaintext.
/// </summary>
public interface IConnectorSecrets
{
    Task PutAsync(Guid connectorId, string connectionString, CancellationToken cancellationToken);

    Task<string?> GetAsync(Guid connectorId, CancellationToken cancellationToken);

    /// <summary>Deletes (and purges) the secret if it exists; idempotent.</summary>
    Task DeleteAsync(Guid connectorId, CancellationToken cancellationToken);
}

/// <summary>
/// A customer's database as a connector reaches it. Implementations refuse addresses the deployment does not allow,
/// read only the allow-listed schema, and run a query so that it cannot change data.
/// </summary>
public interface IConnectorDatabase
{
    /// <summary>The kind of database this reaches (CONTRACT §14 <c>kind</c>).</summary>
    string Kind { get; }

    /// <summary>
    /// A problem with the connection string itself (not the server), as a message safe to show, or null. It never quotes the string.
    /// </summary>
    string? CheckConnectionString(string connectionString);

    /// <summary>
    /// Connects and reads the tables, columns, primary and foreign keys the login can read, within <paramref name="allowList"/>
    /// when given. Unreachable or refused → <see cref="ConnectorUnreachableException"/>.
    /// </summary>
    Task<IReadOnlyList<ConnectorTable>> ReadSchemaAsync(string connectionString, IReadOnlyList<string>? allowList, CancellationToken cancellationToken);

    /// <summary>
    /// Runs one SELECT/WITH query read-only, touching only <paramref name="tables"/>, returning at most <paramref name="maxRows"/> rows.
    /// Refused or failed → <see cref="StructuredQueryException"/>; unreachable → <see cref="ConnectorUnreachableException"/>.
    /// </summary>
    Task<QueryRows> QueryAsync(string connectionString, string sql, IReadOnlyList<ConnectorTable> tables, int maxRows, CancellationToken cancellationToken);
}
