using Memic.Core.Errors;
using Memic.Core.Ports;
using Memic.Core.Quotas;
using Memic.Embedded.Internals;
using Microsoft.Data.Sqlite;

namespace Memic.Embedded.Catalog;

/// <summary>Quotas per environment, and the files and bytes it holds.</summary>
public sealed partial class SqliteCatalog : IQuotaCatalog
{
    public async Task<EnvironmentQuotas> GetQuotasAsync(Guid environmentId, CancellationToken cancellationToken) =>
        await SingleAsync(
            "SELECT * FROM environment_quotas WHERE environment_id = $env",
            r => new EnvironmentQuotas(
                r.GetNullableLong("max_files"), r.GetNullableLong("max_storage_bytes"), r.GetNullableLong("max_monthly_searches"),
                r.GetNullableLong("max_monthly_chats"), r.GetNullableLong("max_monthly_embedding_tokens")),
            cancellationToken,
            ("$env", environmentId))
        ?? EnvironmentQuotas.Unlimited;

    public async Task SetQuotasAsync(Guid environmentId, EnvironmentQuotas quotas, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        try
        {
            await connection.ExecuteAsync(
                """
                INSERT INTO environment_quotas (environment_id, max_files, max_storage_bytes, max_monthly_searches, max_monthly_chats, max_monthly_embedding_tokens)
                VALUES ($env, $files, $bytes, $searches, $chats, $tokens)
                ON CONFLICT (environment_id) DO UPDATE SET
                    max_files = excluded.max_files, max_storage_bytes = excluded.max_storage_bytes, max_monthly_searches = excluded.max_monthly_searches,
                    max_monthly_chats = excluded.max_monthly_chats, max_monthly_embedding_tokens = excluded.max_monthly_embedding_tokens
                """,
                cancellationToken,
                ("$env", environmentId), ("$files", quotas.MaxFiles), ("$bytes", quotas.MaxStorageBytes), ("$searches", quotas.MaxMonthlySearches),
                ("$chats", quotas.MaxMonthlyChats), ("$tokens", quotas.MaxMonthlyEmbeddingTokens));
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == SqliteExtensions.ConstraintViolation)
        {
            throw NotFoundException.Resource("Environment", environmentId);
        }
    }

    public async Task<EnvironmentHoldings> GetHoldingsAsync(Guid environmentId, CancellationToken cancellationToken) =>
        await SingleAsync(
            "SELECT COUNT(*) AS files, COALESCE(SUM(size), 0) AS bytes FROM files WHERE environment_id = $env",
            r => new EnvironmentHoldings(r.GetInt64(r.GetOrdinal("files")), r.GetInt64(r.GetOrdinal("bytes"))),
            cancellationToken,
            ("$env", environmentId))
        ?? new EnvironmentHoldings(0, 0);
}
