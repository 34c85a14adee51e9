using System.Collections.Concurrent;

namespace Memic.Core.Keys;

/// <summary>
/// A token bucket on the <see cref="TimeProvider"/>: <c>rate</c> tokens a second, holding at most
/// <see cref="BurstSeconds"/> seconds' worth, so a client starting many fresh keys at once is not refused.
/// </summary>
internal sealed class TokenBucket(int ratePerSecond, TimeProvider time)
{
    public const int BurstSeconds = 5;

    private readonly Lock _lock = new();
    private readonly double _capacity = (double)ratePerSecond * BurstSeconds;
    private double _tokens = (double)ratePerSecond * BurstSeconds;
    private long _refilledAt = time.GetTimestamp();

    /// <summary>Takes a token if one is there; never waits. A rate of 0 is unlimited.</summary>
    public bool TryTake()
    {
        if (ratePerSecond <= 0)
        {
            return true;
        }

        lock (_lock)
        {
            var now = time.GetTimestamp();
            _tokens = Math.Min(_capacity, _tokens + (time.GetElapsedTime(_refilledAt, now).TotalSeconds * ratePerSecond));
            _refilledAt = now;
            if (_tokens < 1)
            {
                return false;
            }

            _tokens--;
            return true;
        }
    }
}

/// <summary>
/// Failed authentications per client address in fixed one-minute windows. Memory is bounded: past
/// <c>maxAddresses</c>, addresses of earlier windows are dropped, then everything (a flood from that many addresses is
/// held back by the unknown-key lookup rate instead).
/// </summary>
internal sealed class FailedAuthentications(int maxPerMinute, int maxAddresses, TimeProvider time)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, Tally> _tallies = new(StringComparer.Ordinal);

    public void Record(string? address)
    {
        if (address is null || maxPerMinute <= 0)
        {
            return;
        }

        var window = CurrentWindow();
        if (_tallies.Count >= maxAddresses && !_tallies.ContainsKey(address))
        {
            Trim(window);
        }

        _tallies.AddOrUpdate(address, _ => new Tally(window, 1), (_, tally) => tally.Window == window ? tally with { Count = tally.Count + 1 } : new Tally(window, 1));
    }

    /// <summary>True when the address failed more than the limit this window; <paramref name="retryAfter"/> is when the window ends.</summary>
    public bool IsBlocked(string? address, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (address is null || maxPerMinute <= 0 || !_tallies.TryGetValue(address, out var tally))
        {
            return false;
        }

        var window = CurrentWindow();
        if (tally.Window != window || tally.Count < maxPerMinute)
        {
            return false;
        }

        retryAfter = TimeSpan.FromTicks(((window + 1) * Window.Ticks) - time.GetUtcNow().UtcTicks);
        return true;
    }

    private long CurrentWindow() => time.GetUtcNow().UtcTicks / Window.Ticks;

    private void Trim(long window)
    {
        foreach (var (address, tally) in _tallies)
        {
            if (tally.Window != window)
            {
                _tallies.TryRemove(address, out _);
            }
        }

        if (_tallies.Count >= maxAddresses)
        {
            _tallies.Clear();
        }
    }

    private sealed record Tally(long Window, int Count);
}
