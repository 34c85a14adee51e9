using System.Collections.Concurrent;
using System.Globalization;
using Memic.Core.Errors;
using Memic.Core.Ports;
using Memic.Core.Usage;
using Microsoft.Extensions.Options;

namespace Memic.Core.Quotas;

/// <summary>
/// Per-environment quotas (CONTRACT §17), checked before work starts: uploads against the files and bytes the
/// environment holds, searches, chats and ingestion against this month's metered counts (<see cref="UsageMeter"/>, so
/// what is billed is what is limited). Monthly quotas reset at the start of each UTC month.
/// </summary>
public sealed class QuotaService(
    IQuotaCatalog catalog,
    UsageMeter usage,
    IOptions<UsageOptions> options,
    TimeProvider time)
{
    public const string MaxFiles = "max_files";
    public const string MaxStorageBytes = "max_storage_bytes";
    public const string MaxMonthlySearches = "max_monthly_searches";
    public const string MaxMonthlyChats = "max_monthly_chats";
    public const string MaxMonthlyEmbeddingTokens = "max_monthly_embedding_tokens";

    private readonly ConcurrentDictionary<Guid, (EnvironmentQuotas Quotas, DateTimeOffset ReadAt)> _quotas = new();

    /// <summary>The environment's quotas and use; the caller has made sure the environment exists.</summary>
    public async Task<QuotaStatus> GetAsync(Guid environmentId, CancellationToken cancellationToken)
    {
        var quotas = await catalog.GetQuotasAsync(environmentId, cancellationToken);
        var holdings = await catalog.GetHoldingsAsync(environmentId, cancellationToken);
        await usage.FlushAsync(cancellationToken);
        var month = await usage.MonthToDateAsync(environmentId, cancellationToken);
        var started = UsageHours.MonthOf(time.GetUtcNow());
        return new QuotaStatus(quotas, holdings, month.Searches, month.Chats, month.EmbeddingTokens, started, started.AddMonths(1));
    }

    public async Task<QuotaStatus> SetAsync(Guid environmentId, EnvironmentQuotas quotas, CancellationToken cancellationToken)
    {
        await catalog.SetQuotasAsync(environmentId, quotas, cancellationToken);
        _quotas.TryRemove(environmentId, out _);
        return await GetAsync(environmentId, cancellationToken);
    }

    /// <summary>Refuses a new file when the environment already holds its maximum of files or the bytes would exceed its storage.</summary>
    public async Task CheckUploadAsync(Guid environmentId, long size, CancellationToken cancellationToken)
    {
        var quotas = await QuotasAsync(environmentId, cancellationToken);
        if (quotas.MaxFiles is null && quotas.MaxStorageBytes is null)
        {
            return;
        }

        var held = await catalog.GetHoldingsAsync(environmentId, cancellationToken);
        if (held.Files + 1 > quotas.MaxFiles)
        {
            throw new QuotaExceededException(
                $"Quota {MaxFiles} exceeded: the environment holds {held.Files} of {quotas.MaxFiles} files. It frees up as files are deleted.", null);
        }

        if (held.Bytes + size > quotas.MaxStorageBytes)
        {
            throw new QuotaExceededException(
                $"Quota {MaxStorageBytes} exceeded: the environment holds {held.Bytes} bytes and this file adds {size}, over {quotas.MaxStorageBytes}. It frees up as files are deleted.", null);
        }
    }

    public Task CheckSearchAsync(Guid environmentId, CancellationToken cancellationToken) =>
        CheckMonthlyAsync(environmentId, MaxMonthlySearches, q => q.MaxMonthlySearches, u => u.Searches, "searches", cancellationToken);

    public Task CheckChatAsync(Guid environmentId, CancellationToken cancellationToken) =>
        CheckMonthlyAsync(environmentId, MaxMonthlyChats, q => q.MaxMonthlyChats, u => u.Chats, "chats", cancellationToken);

    /// <summary>Refuses to start ingesting once this month's embedding tokens reached the quota (a file's own tokens are known only after chunking).</summary>
    public Task CheckIngestionAsync(Guid environmentId, CancellationToken cancellationToken) =>
        CheckMonthlyAsync(environmentId, MaxMonthlyEmbeddingTokens, q => q.MaxMonthlyEmbeddingTokens, u => u.EmbeddingTokens, "embedding tokens", cancellationToken);

    private async Task CheckMonthlyAsync(
        Guid environmentId, string name, Func<EnvironmentQuotas, long?> limitOf, Func<UsageCounters, long> usedOf, string unit, CancellationToken cancellationToken)
    {
        if (limitOf(await QuotasAsync(environmentId, cancellationToken)) is not { } limit)
        {
            return;
        }

        var used = usedOf(await usage.MonthToDateAsync(environmentId, cancellationToken));
        if (used >= limit)
        {
            var now = time.GetUtcNow();
            var resetsAt = UsageHours.MonthOf(now).AddMonths(1);
            throw new QuotaExceededException(
                $"Quota {name} exceeded: {used} of {limit} {unit} used this month. It resets at {resetsAt.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}.",
                resetsAt - now);
        }
    }

    /// <summary>The environment's quotas, read again at most every <see cref="UsageOptions.QuotaReadInterval"/> so checks cost no catalog read.</summary>
    private async Task<EnvironmentQuotas> QuotasAsync(Guid environmentId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_quotas.TryGetValue(environmentId, out var cached) && now - cached.ReadAt < options.Value.QuotaReadInterval)
        {
            return cached.Quotas;
        }

        var quotas = await catalog.GetQuotasAsync(environmentId, cancellationToken);
        _quotas[environmentId] = (quotas, now);
        return quotas;
    }
}
