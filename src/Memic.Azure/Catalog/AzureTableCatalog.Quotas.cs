using Azure.Data.Tables;
using Memic.Azure.Internals;
using Memic.Core.Ports;
using Memic.Core.Quotas;
using static Memic.Azure.Internals.TableKeys;

namespace Memic.Azure.Catalog;

/// <summary>Quotas per environment, and the files and bytes it holds, in its partition.</summary>
public sealed partial class AzureTableCatalog : IQuotaCatalog
{
    private static readonly string[] HoldingColumns = [nameof(ITableEntity.RowKey), nameof(FileEntity.Size)];

    public async Task<EnvironmentQuotas> GetQuotasAsync(Guid environmentId, CancellationToken cancellationToken) =>
        await (await EnvironmentDataAsync(cancellationToken)).FindAsync<QuotaEntity>(EnvironmentData(environmentId), Quotas, cancellationToken) is { } row
            ? new EnvironmentQuotas(row.MaxFiles, row.MaxStorageBytes, row.MaxMonthlySearches, row.MaxMonthlyChats, row.MaxMonthlyEmbeddingTokens)
            : EnvironmentQuotas.Unlimited;

    public async Task SetQuotasAsync(Guid environmentId, EnvironmentQuotas quotas, CancellationToken cancellationToken)
    {
        await RequireEnvironmentAsync(environmentId, cancellationToken);
        await (await EnvironmentDataAsync(cancellationToken)).UpsertEntityAsync(
            new QuotaEntity
            {
                PartitionKey = EnvironmentData(environmentId),
                RowKey = Quotas,
                MaxFiles = quotas.MaxFiles,
                MaxStorageBytes = quotas.MaxStorageBytes,
                MaxMonthlySearches = quotas.MaxMonthlySearches,
                MaxMonthlyChats = quotas.MaxMonthlyChats,
                MaxMonthlyEmbeddingTokens = quotas.MaxMonthlyEmbeddingTokens,
            },
            TableUpdateMode.Replace,
            cancellationToken);
    }

    /// <summary>A scan of the partition's file rows (two columns each): Table Storage has no COUNT or SUM.</summary>
    public async Task<EnvironmentHoldings> GetHoldingsAsync(Guid environmentId, CancellationToken cancellationToken)
    {
        var files = await (await EnvironmentDataAsync(cancellationToken)).ListKindAsync<FileEntity>(EnvironmentData(environmentId), Files, HoldingColumns, cancellationToken);
        return new EnvironmentHoldings(files.Count, files.Sum(f => f.Size));
    }
}
