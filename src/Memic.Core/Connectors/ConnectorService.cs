using System.Collections.Concurrent;
using Memic.Core.Errors;
using Memic.Core.Ports;
using Memic.Core.Tenancy;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Memic.Core.Connectors;

/// <summary>
/// Connectors of an environment (CONTRACT §14). A connector is stored only after its database answered and its schema was
/// read; its connection string goes to <see cref="IConnectorSecrets"/> and nowhere else. A connector id of another
/// environment behaves exactly like an unknown one. Search routes on a list of the environment's connectors kept for
/// <see cref="ConnectorOptions.RoutingCacheDuration"/>, so that a search costs no catalog read; a change made here
/// drops it at once.
/// </summary>
public sealed partial class ConnectorService(
    ITenancyCatalog tenancy,
    IConnectorCatalog connectors,
    IConnectorSecrets secrets,
    IConnectorDatabase database,
    TimeProvider time,
    IOptions<ConnectorOptions> options,
    ILogger<ConnectorService> logger)
{
    public const int MaxConnectionStringLength = 4096;
    public const int MaxDescriptionLength = 2000;
    public const int MaxAllowListTables = 500;

    private readonly ConcurrentDictionary<Guid, RoutingEntry> _routing = new();

    /// <summary>Bumped by every change; a list read while one happened is not kept, as it may predate the change.</summary>
    private long _changes;

    public async Task<Connector> CreateAsync(Guid environmentId, NewConnector request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var name = InputRules.Name(request.Name, "name");
        var kind = request.Kind?.Trim().ToLowerInvariant();
        if (kind != database.Kind)
        {
            throw new ValidationException("kind", $"kind must be '{database.Kind}'.", "literal_error");
        }

        var connectionString = request.ConnectionString;
        if (string.IsNullOrWhiteSpace(connectionString) || connectionString.Length > MaxConnectionStringLength)
        {
            throw new ValidationException("connection_string", $"connection_string must be 1 to {MaxConnectionStringLength} characters.", "string_too_long");
        }

        if (database.CheckConnectionString(connectionString) is { } problem)
        {
            throw new ValidationException("connection_string", problem);
        }

        var description = InputRules.OptionalName(request.Description, "description", MaxDescriptionLength);
        var allowList = CheckAllowList(request.Tables);
        var environment = await tenancy.GetEnvironmentAsync(environmentId, cancellationToken);
        if (environment is not { Status: EnvironmentStatus.Ready })
        {
            throw NotFoundException.Resource("Environment", environmentId);
        }

        var tables = await database.ReadSchemaAsync(connectionString, allowList, cancellationToken);
        if (allowList is not null && allowList.FirstOrDefault(t => !tables.Any(r => r.QualifiedName == t)) is { } missing)
        {
            throw new ValidationException("tables", $"Table '{missing}' does not exist or the login cannot read it.");
        }

        var now = time.GetUtcNow();
        var connector = new Connector(Guid.NewGuid(), environmentId, name, kind, description, ConnectorStatus.Ready, null, allowList, tables, now, now);

        // Secret first: a connector row whose secret is missing would be listed but useless; a secret without its row is
        // removed below, and otherwise only ever reachable through an id nobody was given.
        await secrets.PutAsync(connector.Id, connectionString, cancellationToken);
        try
        {
            await connectors.AddConnectorAsync(connector, cancellationToken);
        }
        catch
        {
            await secrets.DeleteAsync(connector.Id, CancellationToken.None);
            throw;
        }
        finally
        {
            Changed(environmentId);
        }

        LogCreated(logger, connector.Id, environmentId, tables.Count);
        return connector;
    }

    public async Task<IReadOnlyList<Connector>> ListAsync(Guid environmentId, CancellationToken cancellationToken)
    {
        _ = await tenancy.GetEnvironmentAsync(environmentId, cancellationToken) ?? throw NotFoundException.Resource("Environment", environmentId);
        return await connectors.ListConnectorsAsync(environmentId, cancellationToken);
    }

    /// <summary>The data plane's list: the key's environment is known to exist.</summary>
    public Task<IReadOnlyList<Connector>> ListOwnAsync(Guid environmentId, CancellationToken cancellationToken) =>
        connectors.ListConnectorsAsync(environmentId, cancellationToken);

    /// <summary>
    /// The environment's connectors as search routes on them: the catalog's list, reused for
    /// <see cref="ConnectorOptions.RoutingCacheDuration"/>. Another instance's change shows within that time.
    /// </summary>
    public async Task<IReadOnlyList<Connector>> ListForRoutingAsync(Guid environmentId, CancellationToken cancellationToken)
    {
        var duration = options.Value.RoutingCacheDuration;
        var now = time.GetUtcNow();
        if (_routing.TryGetValue(environmentId, out var cached) && now - cached.ReadAt < duration)
        {
            return cached.Connectors;
        }

        var changes = Interlocked.Read(ref _changes);
        var listed = await connectors.ListConnectorsAsync(environmentId, cancellationToken);
        if (duration > TimeSpan.Zero && Interlocked.Read(ref _changes) == changes)
        {
            _routing[environmentId] = new RoutingEntry(listed, now);
        }

        return listed;
    }

    public async Task<Connector> GetAsync(Guid connectorId, CancellationToken cancellationToken) =>
        await connectors.GetConnectorAsync(connectorId, cancellationToken) ?? throw NotFound(connectorId);

    /// <summary>A connector of the environment, or 404 exactly as for an unknown id.</summary>
    public async Task<Connector> GetOwnAsync(Guid environmentId, Guid connectorId, CancellationToken cancellationToken)
    {
        var connector = await connectors.GetConnectorAsync(connectorId, cancellationToken);
        return connector is not null && connector.EnvironmentId == environmentId ? connector : throw NotFound(connectorId);
    }

    /// <summary>Reads the schema again. An unreachable database leaves the connector <c>failed</c> with the reason, its old schema kept.</summary>
    public async Task<Connector> RefreshAsync(Guid connectorId, CancellationToken cancellationToken)
    {
        var connector = await GetAsync(connectorId, cancellationToken);
        var secret = await secrets.GetAsync(connectorId, cancellationToken);
        Connector refreshed;
        if (secret is null)
        {
            refreshed = connector with { Status = ConnectorStatus.Failed, Error = "The connection string is missing; delete the connector and create it again." };
        }
        else
        {
            try
            {
                var tables = await database.ReadSchemaAsync(secret, connector.AllowList, cancellationToken);
                refreshed = connector with { Status = ConnectorStatus.Ready, Error = null, Tables = tables, RefreshedAt = time.GetUtcNow() };
            }
            catch (ConnectorUnreachableException ex)
            {
                refreshed = connector with { Status = ConnectorStatus.Failed, Error = ex.Message };
            }
        }

        try
        {
            await connectors.UpdateConnectorAsync(refreshed, cancellationToken);
        }
        finally
        {
            Changed(connector.EnvironmentId);
        }

        LogRefreshed(logger, connectorId, refreshed.Status, refreshed.Tables.Count);
        return refreshed;
    }

    /// <summary>Purges the secret, then the connector: a delete cut short leaves a row a retry finds and finishes.</summary>
    public async Task DeleteAsync(Guid connectorId, CancellationToken cancellationToken)
    {
        var connector = await GetAsync(connectorId, cancellationToken);
        await RemoveAsync(connector, cancellationToken);
    }

    /// <summary>Every connector of an environment being deleted, secrets included; idempotent.</summary>
    public async Task DeleteAllAsync(Guid environmentId, CancellationToken cancellationToken)
    {
        foreach (var connector in await connectors.ListConnectorsAsync(environmentId, cancellationToken))
        {
            await RemoveAsync(connector, cancellationToken);
        }

        // Also when it had none: its routing list must not outlive it.
        Changed(environmentId);
    }

    /// <summary>The connection string of a connector, for running a query; null when it went missing.</summary>
    internal Task<string?> SecretOfAsync(Guid connectorId, CancellationToken cancellationToken) => secrets.GetAsync(connectorId, cancellationToken);

    private async Task RemoveAsync(Connector connector, CancellationToken cancellationToken)
    {
        try
        {
            await secrets.DeleteAsync(connector.Id, cancellationToken);
            await connectors.RemoveConnectorAsync(connector.Id, cancellationToken);
        }
        finally
        {
            Changed(connector.EnvironmentId);
        }

        LogDeleted(logger, connector.Id, connector.EnvironmentId);
    }

    /// <summary>Drops the environment's routing list, and keeps a list being read meanwhile from being stored.</summary>
    private void Changed(Guid environmentId)
    {
        Interlocked.Increment(ref _changes);
        _routing.TryRemove(environmentId, out _);
    }

    private static List<string>? CheckAllowList(IReadOnlyList<string>? tables)
    {
        if (tables is null)
        {
            return null;
        }

        if (tables.Count is 0 or > MaxAllowListTables)
        {
            throw new ValidationException("tables", $"tables must name 1 to {MaxAllowListTables} tables as \"schema.table\", or be omitted for every table the login can read.");
        }

        var allowed = new List<string>();
        foreach (var table in tables)
        {
            var dot = table?.IndexOf('.', StringComparison.Ordinal) ?? -1;
            if (table is null || dot <= 0 || dot == table.Length - 1 || table.Length > 256 || table.Any(char.IsControl))
            {
                throw new ValidationException("tables", $"Each table must be written \"schema.table\", e.g. \"public.orders\"; got '{table}'.");
            }

            if (!allowed.Contains(table, StringComparer.Ordinal))
            {
                allowed.Add(table);
            }
        }

        return allowed;
    }

    /// <summary>An environment's connectors as read for routing, and when.</summary>
    private sealed record RoutingEntry(IReadOnlyList<Connector> Connectors, DateTimeOffset ReadAt);

    private static NotFoundException NotFound(Guid connectorId) => new(ErrorCodes.NotFound, $"Connector '{connectorId}' was not found.");

    [LoggerMessage(Level = LogLevel.Information, Message = "Created connector {ConnectorId} in environment {EnvironmentId} with {TableCount} tables")]
    private static partial void LogCreated(ILogger logger, Guid connectorId, Guid environmentId, int tableCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Refreshed connector {ConnectorId}: {Status}, {TableCount} tables")]
    private static partial void LogRefreshed(ILogger logger, Guid connectorId, ConnectorStatus status, int tableCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted connector {ConnectorId} of environment {EnvironmentId} and its secret")]
    private static partial void LogDeleted(ILogger logger, Guid connectorId, Guid environmentId);
}

/// <summary>What the admin API's create carries (CONTRACT §14).</summary>
public sealed record NewConnector(string? Name, string? Kind, string? ConnectionString, string? Description, IReadOnlyList<string>? Tables);

/// <summary>Deletes an environment's connectors and their secrets with the environment.</summary>
internal sealed class EnvironmentConnectors(ConnectorService connectors) : IEnvironmentResources
{
    public Task ProvisionAsync(MemicEnvironment environment, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task DeleteAsync(Guid environmentId, CancellationToken cancellationToken) => connectors.DeleteAllAsync(environmentId, cancellationToken);
}
