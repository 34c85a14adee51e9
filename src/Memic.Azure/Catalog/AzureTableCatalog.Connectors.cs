using Azure;
using Memic.Azure.Internals;
using Memic.Core.Connectors;
using Memic.Core.Ports;
using static Memic.Azure.Internals.TableKeys;

namespace Memic.Azure.Catalog;

/// <summary>
/// Connectors, in their environment's partition, with a locator in the tenancy table's <c>connector</c> partition because
/// the admin API looks them up by id alone (as keys). The locator is written first and removed last, so a connector row is
/// always reachable by its id.
/// </summary>
public sealed partial class AzureTableCatalog : IConnectorCatalog
{
    public async Task AddConnectorAsync(Connector connector, CancellationToken cancellationToken)
    {
        await RequireEnvironmentAsync(connector.EnvironmentId, cancellationToken);
        var tenancy = await TenancyAsync(cancellationToken);
        var entity = ToEntity(connector);
        await tenancy.UpsertEntityAsync(
            new ConnectorLocatorEntity { PartitionKey = ConnectorPartition, RowKey = Connector(connector.Id), EnvironmentId = connector.EnvironmentId },
            cancellationToken: cancellationToken);
        try
        {
            await _tables.EnvironmentData.AddEntityAsync(entity, cancellationToken);
        }
        catch
        {
            await tenancy.DeleteEntityAsync(ConnectorPartition, Connector(connector.Id), ETag.All, CancellationToken.None);
            throw;
        }
    }

    public async Task<Connector?> GetConnectorAsync(Guid connectorId, CancellationToken cancellationToken)
    {
        var locator = await (await TenancyAsync(cancellationToken)).FindAsync<ConnectorLocatorEntity>(ConnectorPartition, Connector(connectorId), cancellationToken);
        if (locator is null)
        {
            return null;
        }

        var entity = await (await EnvironmentDataAsync(cancellationToken)).FindAsync<ConnectorEntity>(EnvironmentData(locator.EnvironmentId), Connector(connectorId), cancellationToken);
        return entity is null ? null : ToConnector(entity);
    }

    public async Task<IReadOnlyList<Connector>> ListConnectorsAsync(Guid environmentId, CancellationToken cancellationToken)
    {
        var entities = await (await EnvironmentDataAsync(cancellationToken)).ListKindAsync<ConnectorEntity>(EnvironmentData(environmentId), Connectors, cancellationToken);
        return [.. entities.Select(ToConnector).OrderBy(c => c.CreatedAt).ThenBy(c => c.Id.ToString("D"), StringComparer.Ordinal)];
    }

    public async Task UpdateConnectorAsync(Connector connector, CancellationToken cancellationToken)
    {
        var table = await EnvironmentDataAsync(cancellationToken);
        try
        {
            await table.UpdateEntityAsync(ToEntity(connector), ETag.All, global::Azure.Data.Tables.TableUpdateMode.Replace, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Deleted meanwhile: nothing to update.
        }
    }

    public async Task RemoveConnectorAsync(Guid connectorId, CancellationToken cancellationToken)
    {
        var tenancy = await TenancyAsync(cancellationToken);
        var locator = await tenancy.FindAsync<ConnectorLocatorEntity>(ConnectorPartition, Connector(connectorId), cancellationToken);
        if (locator is null)
        {
            return;
        }

        await _tables.EnvironmentData.DeleteEntityAsync(EnvironmentData(locator.EnvironmentId), Connector(connectorId), ETag.All, cancellationToken);
        await tenancy.DeleteEntityAsync(ConnectorPartition, Connector(connectorId), ETag.All, cancellationToken);
    }

    private static ConnectorEntity ToEntity(Connector c)
    {
        var tables = LongText.Split(ConnectorJson.Tables(c.Tables), "tables");
        var allowList = LongText.Split(ConnectorJson.AllowList(c.AllowList), "tables");
        return new ConnectorEntity
        {
            PartitionKey = EnvironmentData(c.EnvironmentId),
            RowKey = Connector(c.Id),
            Id = c.Id,
            EnvironmentId = c.EnvironmentId,
            Name = c.Name,
            Kind = c.Kind,
            Description = c.Description,
            Status = c.Status.ToString(),
            Error = LongText.Truncate(c.Error),
            AllowList = allowList[0],
            AllowList2 = allowList[1],
            AllowList3 = allowList[2],
            AllowList4 = allowList[3],
            Tables = tables[0],
            Tables2 = tables[1],
            Tables3 = tables[2],
            Tables4 = tables[3],
            CreatedAt = c.CreatedAt,
            RefreshedAt = c.RefreshedAt,
        };
    }

    private static Connector ToConnector(ConnectorEntity e) =>
        new(e.Id, e.EnvironmentId, e.Name, e.Kind, e.Description, Enum.Parse<ConnectorStatus>(e.Status), e.Error,
            ConnectorJson.AllowList(LongText.Join(e.AllowList, e.AllowList2, e.AllowList3, e.AllowList4)),
            ConnectorJson.Tables(LongText.Join(e.Tables, e.Tables2, e.Tables3, e.Tables4) ?? "[]"),
            e.CreatedAt, e.RefreshedAt);
}
