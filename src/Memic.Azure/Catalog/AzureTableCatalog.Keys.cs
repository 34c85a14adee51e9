using Azure;
using Azure.Data.Tables;
using Memic.Azure.Internals;
using Memic.Core.Errors;
using Memic.Core.Keys;
using Memic.Core.Ports;
using static Memic.Azure.Internals.TableKeys;

namespace Memic.Azure.Catalog;

/// <summary>
/// Key metadata. An environment key's row lives in its environment's partition; a locator in the tenancy table's
/// <c>key</c> partition says where, because keys are also looked up by id alone. The generated admin key belongs to no
/// environment: its row sits beside the locators, under a fixed row key, and is written with its locator in one transaction.
/// </summary>
public sealed partial class AzureTableCatalog : IKeyCatalog
{
    public async Task AddKeyAsync(ApiKeyRecord key, CancellationToken cancellationToken)
    {
        var environmentId = key.Info.EnvironmentId;
        await RequireEnvironmentAsync(environmentId, cancellationToken);
        var tenancy = await TenancyAsync(cancellationToken);
        var locator = new KeyLocatorEntity { PartitionKey = KeyPartition, RowKey = Key(key.Info.Id), Scope = nameof(KeyScope.Environment), EnvironmentId = environmentId };
        try
        {
            await tenancy.AddEntityAsync(locator, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            throw new ConflictException(ErrorCodes.Conflict, "That key already exists.");
        }

        try
        {
            await _tables.EnvironmentData.AddEntityAsync(key.ToEntity(EnvironmentData(environmentId), Key(key.Info.Id), environmentId), cancellationToken);
        }
        catch
        {
            // A locator without its row would make the id unusable for nothing.
            await tenancy.DeleteEntityAsync(KeyPartition, locator.RowKey, ETag.All, CancellationToken.None);
            throw;
        }
    }

    public async Task<ApiKeyRecord?> GetKeyAsync(Guid keyId, CancellationToken cancellationToken)
    {
        var locator = await FindKeyLocatorAsync(keyId, cancellationToken);
        if (locator is not { Scope: nameof(KeyScope.Environment), EnvironmentId: { } environmentId })
        {
            return null;
        }

        return (await _tables.EnvironmentData.FindAsync<KeyEntity>(EnvironmentData(environmentId), Key(keyId), cancellationToken))?.ToKey();
    }

    public async Task<IReadOnlyList<ApiKeyRecord>> ListKeysAsync(Guid environmentId, CancellationToken cancellationToken)
    {
        var keys = await (await EnvironmentDataAsync(cancellationToken)).ListKindAsync<KeyEntity>(EnvironmentData(environmentId), Keys, cancellationToken);
        return [.. keys.Select(k => k.ToKey()).OrderBy(k => k.Info.CreatedAt).ThenBy(k => k.Info.Id.ToString("D"), StringComparer.Ordinal)];
    }

    public async Task RemoveKeyAsync(Guid keyId, CancellationToken cancellationToken)
    {
        var tenancy = await TenancyAsync(cancellationToken);
        var locator = await FindKeyLocatorAsync(keyId, cancellationToken);
        if (locator is null)
        {
            return;
        }

        if (locator.EnvironmentId is { } environmentId)
        {
            await _tables.EnvironmentData.DeleteEntityAsync(EnvironmentData(environmentId), Key(keyId), ETag.All, cancellationToken);
            await tenancy.DeleteEntityAsync(KeyPartition, Key(keyId), ETag.All, cancellationToken);
            return;
        }

        var admin = await tenancy.FindAsync<KeyEntity>(KeyPartition, GeneratedAdminKey, cancellationToken);
        List<ITableEntity> rows = [locator];
        if (admin?.Id == keyId)
        {
            rows.Add(admin);
        }

        await tenancy.DeleteAllAsync(rows, cancellationToken);
    }

    public async Task MarkKeyUsedAsync(Guid keyId, DateTimeOffset usedAt, CancellationToken cancellationToken)
    {
        var locator = await FindKeyLocatorAsync(keyId, cancellationToken);
        if (locator is null)
        {
            return;
        }

        var (table, partitionKey, rowKey) = locator.EnvironmentId is { } environmentId
            ? (_tables.EnvironmentData, EnvironmentData(environmentId), Key(keyId))
            : (_tables.Tenancy, KeyPartition, GeneratedAdminKey);
        await table.MergeAsync(partitionKey, rowKey, new Dictionary<string, object?> { [nameof(KeyEntity.LastUsedAt)] = usedAt }, cancellationToken);
    }

    public async Task<ApiKeyRecord?> GetGeneratedAdminKeyAsync(CancellationToken cancellationToken) =>
        (await (await TenancyAsync(cancellationToken)).FindAsync<KeyEntity>(KeyPartition, GeneratedAdminKey, cancellationToken))?.ToKey();

    public async Task SetGeneratedAdminKeyAsync(ApiKeyRecord key, CancellationToken cancellationToken) =>
        await SubmitUniqueAsync(
            await TenancyAsync(cancellationToken),
            [
                Add(key.ToEntity(KeyPartition, GeneratedAdminKey, environmentId: null)),
                Add(new KeyLocatorEntity { PartitionKey = KeyPartition, RowKey = Key(key.Info.Id), Scope = nameof(KeyScope.Admin) }),
            ],
            "A generated admin key already exists.",
            cancellationToken);

    private async Task<KeyLocatorEntity?> FindKeyLocatorAsync(Guid keyId, CancellationToken cancellationToken) =>
        await (await TenancyAsync(cancellationToken)).FindAsync<KeyLocatorEntity>(KeyPartition, Key(keyId), cancellationToken);
}
