using Memic.Core.Connectors;
using Memic.Core.Errors;
using Memic.Core.Ports;
using Memic.Embedded.Internals;
using Microsoft.Data.Sqlite;

namespace Memic.Embedded.Catalog;

/// <summary>Connectors, one row each; they go with their environment through ON DELETE CASCADE.</summary>
public sealed partial class SqliteCatalog : IConnectorCatalog
{
    public async Task AddConnectorAsync(Connector connector, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        try
        {
            await connection.ExecuteAsync(
                """
                INSERT INTO connectors (id, environment_id, name, kind, description, status, error, allow_list, tables, created_at, refreshed_at)
                VALUES ($id, $env, $name, $kind, $description, $status, $error, $allow, $tables, $created, $refreshed)
                """,
                cancellationToken,
                ("$id", connector.Id), ("$env", connector.EnvironmentId), ("$name", connector.Name), ("$kind", connector.Kind),
                ("$description", connector.Description), ("$status", connector.Status), ("$error", connector.Error),
                ("$allow", ConnectorJson.AllowList(connector.AllowList)), ("$tables", ConnectorJson.Tables(connector.Tables)),
                ("$created", connector.CreatedAt), ("$refreshed", connector.RefreshedAt));
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == SqliteExtensions.ConstraintViolation && ex.Message.Contains("FOREIGN KEY", StringComparison.Ordinal))
        {
            throw NotFoundException.Resource("Environment", connector.EnvironmentId);
        }
    }

    public Task<Connector?> GetConnectorAsync(Guid connectorId, CancellationToken cancellationToken) =>
        SingleAsync("SELECT * FROM connectors WHERE id = $id", MapConnector, cancellationToken, ("$id", connectorId));

    public Task<IReadOnlyList<Connector>> ListConnectorsAsync(Guid environmentId, CancellationToken cancellationToken) =>
        ListAsync("SELECT * FROM connectors WHERE environment_id = $env ORDER BY created_at, id", MapConnector, cancellationToken, ("$env", environmentId));

    public async Task UpdateConnectorAsync(Connector connector, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            "UPDATE connectors SET status = $status, error = $error, tables = $tables, refreshed_at = $refreshed WHERE id = $id",
            cancellationToken,
            ("$id", connector.Id), ("$status", connector.Status), ("$error", connector.Error), ("$tables", ConnectorJson.Tables(connector.Tables)),
            ("$refreshed", connector.RefreshedAt));
    }

    public async Task RemoveConnectorAsync(Guid connectorId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync("DELETE FROM connectors WHERE id = $id", cancellationToken, ("$id", connectorId));
    }

    private static Connector MapConnector(SqliteDataReader r) =>
        new(r.GetGuid("id"), r.GetGuid("environment_id"), r.GetString("name"), r.GetString("kind"), r.GetNullableString("description"),
            Enum.Parse<ConnectorStatus>(r.GetString("status")), r.GetNullableString("error"), ConnectorJson.AllowList(r.GetNullableString("allow_list")),
            ConnectorJson.Tables(r.GetString("tables")), r.GetTimestamp("created_at"), r.GetTimestamp("refreshed_at"));
}
