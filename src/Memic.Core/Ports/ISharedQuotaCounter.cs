namespace Memic.Core.Ports;

/// <summary>
/// Per-environment monthly counters shared by every instance of a deployment, so a monthly quota holds across all of
/// them (CONTRACT §17, docs/limits.md). Instances reserve part of what remains before admitting requests against it; a
/// reservation is never handed out twice, so together they never admit more than the quota.
/// </summary>
public interface ISharedQuotaCounter
{
    /// <summary>
    /// Reserves <paramref name="share"/> of what remains of <paramref name="limit"/> in the row of <paramref name="key"/>
    /// for the month starting at <paramref name="month"/> (at least one while anything remains), and returns how much it
    /// reserved: 0 once the month's allowance is reserved in full.
    /// </summary>
    Task<long> ReserveAsync(string key, DateTimeOffset month, long limit, double share, CancellationToken cancellationToken);

    /// <summary>Adds <paramref name="amount"/> (negative: gives back an unused reservation) and returns the month's new total.</summary>
    Task<long> AddAsync(string key, DateTimeOffset month, long amount, CancellationToken cancellationToken);

    /// <summary>The month's total so far: reserved, or added.</summary>
    Task<long> ReadAsync(string key, DateTimeOffset month, CancellationToken cancellationToken);
}
