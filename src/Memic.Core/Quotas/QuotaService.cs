using System.Collections.Concurrent;
using System.Globalization;
using Memic.Core.Errors;
using Memic.Core.Ports;
using Memic.Core.Usage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Memic.Core.Quotas;

/// <summary>
/// Per-environment quotas (CONTRACT §17), checked before work starts: uploads against the files and bytes the
/// environment holds, searches, chats and ingestion against this month's metered counts (<see cref="UsageMeter"/>, so
/// what is billed is what is limited). Monthly quotas reset at the start of each UTC month.
/// <para>
/// With an <see cref="ISharedQuotaCounter"/> (Azure: every instance of a deployment), searches and chats are also admitted
/// only against reservations: each instance reserves <see cref="UsageOptions.QuotaReservationShare"/> of what remains of
/// the month's quota from a shared row and admits from it, so the instances together never admit more than the quota,
/// whatever their unwritten metered counts. Embedding tokens, known only once a file is chunked, are added to their
/// shared row as each file finishes. Unused reservations go back when the instance stops. If the shared store fails,
/// the metered check alone decides (docs/limits.md).
/// </para>
/// </summary>
public sealed partial class QuotaService(
    IQuotaCatalog catalog,
    UsageMeter usage,
    IOptions<UsageOptions> options,
    TimeProvider time,
    ILogger<QuotaService>? logger = null,
    ISharedQuotaCounter? shared = null)
{
    // Optional so that callers without shared quotas (benchmarks, tests) need not name a logger; DI always passes one.
    private readonly ILogger _logger = (ILogger?)logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    public const string MaxFiles = "max_files";
    public const string MaxStorageBytes = "max_storage_bytes";
    public const string MaxMonthlySearches = "max_monthly_searches";
    public const string MaxMonthlyChats = "max_monthly_chats";
    public const string MaxMonthlyEmbeddingTokens = "max_monthly_embedding_tokens";

    private readonly ConcurrentDictionary<Guid, (EnvironmentQuotas Quotas, DateTimeOffset ReadAt)> _quotas = new();
    private readonly ConcurrentDictionary<(Guid EnvironmentId, string Quota), Allowance> _allowances = new();

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
        CheckMonthlyAsync(environmentId, MaxMonthlySearches, q => q.MaxMonthlySearches, u => u.Searches, "searches", reserve: true, cancellationToken);

    /// <summary>The search quota's check without admitting anything (reads only): for a warm-up, which must not use the quota.</summary>
    public Task ProbeSearchAsync(Guid environmentId, CancellationToken cancellationToken) =>
        CheckMonthlyAsync(environmentId, MaxMonthlySearches, q => q.MaxMonthlySearches, u => u.Searches, "searches", reserve: false, cancellationToken);

    public Task CheckChatAsync(Guid environmentId, CancellationToken cancellationToken) =>
        CheckMonthlyAsync(environmentId, MaxMonthlyChats, q => q.MaxMonthlyChats, u => u.Chats, "chats", reserve: true, cancellationToken);

    /// <summary>Refuses to start ingesting once this month's embedding tokens reached the quota (a file's own tokens are known only after chunking).</summary>
    public Task CheckIngestionAsync(Guid environmentId, CancellationToken cancellationToken) =>
        CheckMonthlyAsync(environmentId, MaxMonthlyEmbeddingTokens, q => q.MaxMonthlyEmbeddingTokens, u => u.EmbeddingTokens, "embedding tokens", reserve: false, cancellationToken);

    /// <summary>
    /// Adds a finished file's embedding tokens to the environment's shared monthly row, where every instance's next
    /// <see cref="CheckIngestionAsync"/> sees them at once. Only with a shared counter and a token quota; metering counts
    /// the tokens regardless. A failure is logged: the metered check still holds the quota, later.
    /// </summary>
    public async Task RecordEmbeddingTokensAsync(Guid environmentId, long tokens, CancellationToken cancellationToken)
    {
        if (shared is null || tokens <= 0)
        {
            return;
        }

        try
        {
            if ((await QuotasAsync(environmentId, cancellationToken)).MaxMonthlyEmbeddingTokens is null)
            {
                return;
            }

            await shared.AddAsync(SharedKey(environmentId, MaxMonthlyEmbeddingTokens), UsageHours.MonthOf(time.GetUtcNow()), tokens, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogSharedUnavailable(ex, MaxMonthlyEmbeddingTokens);
        }
    }

    /// <summary>
    /// Gives back what this instance reserved and did not use, so the other instances can admit it this month; called as
    /// the host stops (<see cref="QuotaReservationRelease"/>).
    /// </summary>
    public async Task ReturnUnusedAsync(CancellationToken cancellationToken)
    {
        if (shared is null)
        {
            return;
        }

        var month = UsageHours.MonthOf(time.GetUtcNow());
        foreach (var ((environmentId, quota), allowance) in _allowances)
        {
            if (allowance.TakeUnused(month) is > 0 and var unused)
            {
                try
                {
                    await shared.AddAsync(SharedKey(environmentId, quota), month, -unused, cancellationToken);
                }
                catch (Exception ex)
                {
                    LogReturnFailed(ex, unused, quota);
                }
            }
        }
    }

    private async Task CheckMonthlyAsync(
        Guid environmentId, string name, Func<EnvironmentQuotas, long?> limitOf, Func<UsageCounters, long> usedOf, string unit, bool reserve,
        CancellationToken cancellationToken)
    {
        if (limitOf(await QuotasAsync(environmentId, cancellationToken)) is not { } limit)
        {
            return;
        }

        // The metered counts first: they hold the quota without a shared counter (the local server) and include what was
        // used before reservations were counted (a quota set, or shared quotas turned on, mid-month).
        var used = usedOf(await usage.MonthToDateAsync(environmentId, cancellationToken));
        if (used >= limit)
        {
            throw Exceeded(name, $"{used} of {limit} {unit} used this month");
        }

        if (shared is null)
        {
            return;
        }

        var admitted = reserve
            ? await TryReserveAsync(environmentId, name, limit, cancellationToken)
            : await SharedTotalBelowAsync(environmentId, name, limit, cancellationToken);
        if (!admitted)
        {
            throw Exceeded(name, $"the month's {limit} {unit} are used or reserved by requests in progress");
        }
    }

    private QuotaExceededException Exceeded(string name, string what)
    {
        var now = time.GetUtcNow();
        var resetsAt = UsageHours.MonthOf(now).AddMonths(1);
        return new QuotaExceededException(
            $"Quota {name} exceeded: {what}. It resets at {resetsAt.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}.",
            resetsAt - now);
    }

    /// <summary>Admits one from this instance's reservation, reserving more from the shared row when it is used up.</summary>
    private async Task<bool> TryReserveAsync(Guid environmentId, string quota, long limit, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var month = UsageHours.MonthOf(now);
        var allowance = _allowances.GetOrAdd((environmentId, quota), _ => new Allowance());
        if (allowance.TryTake(month, now) is { } fast)
        {
            return fast;
        }

        // One reservation per environment and quota at a time: requests arriving meanwhile wait for it rather than each reserving.
        await allowance.Refill.WaitAsync(cancellationToken);
        try
        {
            if (allowance.TryTake(month, now) is { } decided)
            {
                return decided;
            }

            long reserved;
            try
            {
                reserved = await shared!.ReserveAsync(SharedKey(environmentId, quota), month, limit, options.Value.QuotaReservationShare, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogSharedUnavailable(ex, quota);
                return true;
            }

            // Nothing left: refuse without asking again until the quotas are next read (a raised quota, returned reservations).
            return allowance.Add(month, reserved, now + options.Value.QuotaReadInterval);
        }
        finally
        {
            allowance.Refill.Release();
        }
    }

    private async Task<bool> SharedTotalBelowAsync(Guid environmentId, string quota, long limit, CancellationToken cancellationToken)
    {
        try
        {
            return await shared!.ReadAsync(SharedKey(environmentId, quota), UsageHours.MonthOf(time.GetUtcNow()), cancellationToken) < limit;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogSharedUnavailable(ex, quota);
            return true;
        }
    }

    private static string SharedKey(Guid environmentId, string quota) => $"{environmentId:N}-{quota}";

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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shared quotas are unavailable; {Quota} is checked against this instance's metered counts alone until they answer")]
    private partial void LogSharedUnavailable(Exception exception, string quota);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not give back {Unused} unused reservations of {Quota}; the other instances can admit that many fewer this month")]
    private partial void LogReturnFailed(Exception exception, long unused, string quota);

    /// <summary>What this instance has reserved and not yet admitted for one environment's monthly quota.</summary>
    private sealed class Allowance
    {
        private readonly Lock _lock = new();
        private DateTimeOffset _month;
        private long _held;
        private DateTimeOffset _spentUntil;

        public SemaphoreSlim Refill { get; } = new(1, 1);

        /// <summary>True: admitted from the reservation; false: the month's allowance is gone; null: reserve more first.</summary>
        public bool? TryTake(DateTimeOffset month, DateTimeOffset now)
        {
            lock (_lock)
            {
                Roll(month);
                if (_held > 0)
                {
                    _held--;
                    return true;
                }

                return now < _spentUntil ? false : null;
            }
        }

        /// <summary>Adds a reservation and takes one of it; false, remembered until <paramref name="spentUntil"/>, when nothing was reserved.</summary>
        public bool Add(DateTimeOffset month, long reserved, DateTimeOffset spentUntil)
        {
            lock (_lock)
            {
                Roll(month);
                if (reserved <= 0)
                {
                    _spentUntil = spentUntil;
                    return false;
                }

                _held += reserved - 1;
                return true;
            }
        }

        public long TakeUnused(DateTimeOffset month)
        {
            lock (_lock)
            {
                Roll(month);
                var unused = _held;
                _held = 0;
                return unused;
            }
        }

        private void Roll(DateTimeOffset month)
        {
            if (month != _month)
            {
                (_month, _held, _spentUntil) = (month, 0, DateTimeOffset.MinValue);
            }
        }
    }
}
