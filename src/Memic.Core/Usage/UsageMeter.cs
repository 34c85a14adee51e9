using System.Collections.Concurrent;
using Memic.Core.Ports;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Memic.Core.Usage;

/// <summary>
/// Counts usage in memory and writes it to the catalog in batches, so metering costs a dictionary update on the
/// request path instead of a database write. Flushed every few seconds, before every read, and at shutdown.
/// </summary>
public sealed class UsageMeter(IUsageCatalog catalog, TimeProvider time, ILogger<UsageMeter> logger) : BackgroundService
{
    private static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<(Guid EnvironmentId, DateOnly Day), Counter> _pending = new();
    private static readonly UsageCounters Zero = new();
    private readonly SemaphoreSlim _flushLock = new(1, 1);

    public void Record(Guid environmentId, UsageCounters delta)
    {
        var day = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        _pending.GetOrAdd((environmentId, day), _ => new Counter()).Add(delta);
    }

    /// <summary>Per-day counters of an environment, including what is still in memory.</summary>
    public async Task<IReadOnlyList<DailyUsage>> ReadAsync(Guid environmentId, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken);
        return await catalog.GetUsageAsync(environmentId, from, to, cancellationToken);
    }

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _flushLock.WaitAsync(cancellationToken);
        try
        {
            var yesterday = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime).AddDays(-1);
            foreach (var (key, counter) in _pending)
            {
                var delta = counter.Take();
                if (delta == Zero)
                {
                    // Days before yesterday get no more counts; their entry can go.
                    if (key.Day < yesterday)
                    {
                        _pending.TryRemove(key, out _);
                    }

                    continue;
                }

                try
                {
                    await catalog.AddUsageAsync(key.EnvironmentId, key.Day, delta, cancellationToken);
                }
                catch
                {
                    counter.Add(delta);
                    throw;
                }
            }
        }
        finally
        {
            _flushLock.Release();
        }
    }

    public override void Dispose()
    {
        _flushLock.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(FlushInterval, time);
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

    private async Task FlushQuietlyAsync(CancellationToken cancellationToken)
    {
        try
        {
            await FlushAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Could not write usage counters; they are retried at the next flush");
        }
    }

    /// <summary>Lock-free counters for one environment and day.</summary>
    private sealed class Counter
    {
        private long _requests, _searches, _chats, _files, _bytes, _pages, _chunks, _tokens;

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

        /// <summary>Takes the counts so far and leaves zero; counts added meanwhile stay for the next take.</summary>
        public UsageCounters Take() => new(
            Interlocked.Exchange(ref _requests, 0), Interlocked.Exchange(ref _searches, 0), Interlocked.Exchange(ref _chats, 0),
            Interlocked.Exchange(ref _files, 0), Interlocked.Exchange(ref _bytes, 0), Interlocked.Exchange(ref _pages, 0),
            Interlocked.Exchange(ref _chunks, 0), Interlocked.Exchange(ref _tokens, 0));
    }
}
