using System.Collections.Concurrent;
using Memic.Core.Ports;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Memic.Core.Usage;

/// <summary>
/// Counts usage in memory and writes it to the catalog every <see cref="UsageOptions.FlushInterval"/>, before every
/// read, and at shutdown, so metering costs a dictionary update on the request path instead of a database write.
/// <para>
/// Each instance writes its own running totals per environment and hour, never deltas: a write repeated after a lost
/// reply stores the same number again, so metering never over-counts, and a crash (kill -9) loses only what the instance
/// counted since its last write. Readers sum the instances' rows.
/// </para>
/// </summary>
public sealed partial class UsageMeter(IUsageCatalog catalog, IOptions<UsageOptions> options, TimeProvider time, ILogger<UsageMeter> logger)
    : BackgroundService
{
    private readonly ConcurrentDictionary<(Guid EnvironmentId, DateTimeOffset Hour), Counter> _counters = new();
    private readonly ConcurrentDictionary<(Guid EnvironmentId, DateTimeOffset Month), StoredMonth> _months = new();
    private readonly SemaphoreSlim _flushLock = new(1, 1);
    private readonly UsageOptions _options = options.Value;

    /// <summary>This process's rows in the catalog; new at every start, so a restarted instance never overwrites its predecessor's.</summary>
    public Guid InstanceId { get; } = Guid.NewGuid();

    public void Record(Guid environmentId, UsageCounters delta)
    {
        var hour = UsageHours.HourOf(time.GetUtcNow());
        _counters.GetOrAdd((environmentId, hour), _ => new Counter()).Add(delta);
    }

    /// <summary>Per-day counters of an environment, including what is still in memory.</summary>
    public async Task<IReadOnlyList<DailyUsage>> ReadAsync(Guid environmentId, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        var hours = await ReadHoursAsync(environmentId, StartOf(from), StartOf(to.AddDays(1)), cancellationToken);
        return [.. hours
            .GroupBy(h => DateOnly.FromDateTime(h.Hour.UtcDateTime))
            .Select(day => new DailyUsage(day.Key, day.Aggregate(UsageCounters.None, (sum, h) => sum.Plus(h.Counters))))
            .OrderBy(d => d.Day)];
    }

    /// <summary>Per-hour counters of an environment in [<paramref name="from"/>, <paramref name="to"/>), including what is still in memory.</summary>
    public async Task<IReadOnlyList<HourlyUsage>> ReadHoursAsync(Guid environmentId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken);
        return await catalog.GetUsageAsync(environmentId, from, to, cancellationToken);
    }

    /// <summary>
    /// The environment's counts this calendar month (UTC) across every instance, as quotas see them: the stored totals,
    /// read again at most every <see cref="UsageOptions.QuotaReadInterval"/>, plus what this instance has not written yet.
    /// </summary>
    public async Task<UsageCounters> MonthToDateAsync(Guid environmentId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var month = UsageHours.MonthOf(now);
        if (!_months.TryGetValue((environmentId, month), out var stored) || now - stored.ReadAt >= _options.QuotaReadInterval)
        {
            var hours = await catalog.GetUsageAsync(environmentId, month, month.AddMonths(1), cancellationToken);
            stored = new StoredMonth(hours.Aggregate(UsageCounters.None, (sum, h) => sum.Plus(h.Counters)), now);
            _months[(environmentId, month)] = stored;
        }

        var unwritten = UsageCounters.None;
        foreach (var ((environment, hour), counter) in _counters)
        {
            if (environment == environmentId && hour >= month)
            {
                unwritten = unwritten.Plus(counter.Unwritten);
            }
        }

        return stored.Totals.Plus(unwritten);
    }

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _flushLock.WaitAsync(cancellationToken);
        try
        {
            var previousHour = UsageHours.HourOf(time.GetUtcNow()).AddHours(-1);
            var pending = new List<(Counter Counter, UsageSlice Slice)>();
            foreach (var ((environmentId, hour), counter) in _counters)
            {
                var totals = counter.Read();
                if (totals == counter.Written)
                {
                    // Hours before the previous one get no more counts once written; their entry can go.
                    if (hour < previousHour)
                    {
                        _counters.TryRemove((environmentId, hour), out _);
                    }

                    continue;
                }

                pending.Add((counter, new UsageSlice(environmentId, hour, totals)));
            }

            if (pending.Count == 0)
            {
                return;
            }

            await catalog.WriteUsageAsync(InstanceId, [.. pending.Select(p => p.Slice)], cancellationToken);
            foreach (var (counter, slice) in pending)
            {
                counter.Written = slice.Totals;
            }
        }
        finally
        {
            _flushLock.Release();
        }

        // Month totals read before this write no longer include what it stored; they are re-read on the next check.
        _months.Clear();
    }

    public override void Dispose()
    {
        _flushLock.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.FlushInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushQuietlyAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down; the last flush follows.
        }

        await FlushQuietlyAsync(CancellationToken.None);
    }

    private static DateTimeOffset StartOf(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    private async Task FlushQuietlyAsync(CancellationToken cancellationToken)
    {
        try
        {
            await FlushAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFlushFailed(ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not write usage counters; they are written at the next flush")]
    private partial void LogFlushFailed(Exception exception);

    private sealed record StoredMonth(UsageCounters Totals, DateTimeOffset ReadAt);

    /// <summary>Lock-free running totals for one environment and hour, and the totals last written.</summary>
    private sealed class Counter
    {
        private long _requests, _searches, _chats, _files, _bytes, _pages, _chunks, _tokens;
        private UsageCounters _written = UsageCounters.None;

        public UsageCounters Written
        {
            get => Volatile.Read(ref _written);
            set => Volatile.Write(ref _written, value);
        }

        public UsageCounters Unwritten => Read().Minus(Written);

        public void Add(UsageCounters d)
        {
            Interlocked.Add(ref _requests, d.Requests);
            Interlocked.Add(ref _searches, d.Searches);
            Interlocked.Add(ref _chats, d.Chats);
            Interlocked.Add(ref _files, d.Files);
            Interlocked.Add(ref _bytes, d.Bytes);
            Interlocked.Add(ref _pages, d.Pages);
            Interlocked.Add(ref _chunks, d.Chunks);
            Interlocked.Add(ref _tokens, d.EmbeddingTokens);
        }

        /// <summary>Each field is a count really reached (they only grow), so a total read mid-update never exceeds the truth.</summary>
        public UsageCounters Read() => new(
            Interlocked.Read(ref _requests), Interlocked.Read(ref _searches), Interlocked.Read(ref _chats), Interlocked.Read(ref _files),
            Interlocked.Read(ref _bytes), Interlocked.Read(ref _pages), Interlocked.Read(ref _chunks), Interlocked.Read(ref _tokens));
    }
}
