namespace Memic.Core.Ports;

/// <summary>
/// Fixed-window counters shared by every instance of a deployment, so a limit holds across all of them (CONTRACT §12,
/// §17). Instances take permits in small batches; a batch is never handed out twice, so the limit is never exceeded.
/// </summary>
public interface ISharedWindowCounter
{
    /// <summary>
    /// Takes up to <paramref name="wanted"/> of the <paramref name="limit"/> permits of <paramref name="key"/> in the window
    /// starting at <paramref name="windowStart"/>, and returns how many it took: 0 once the window's permits are gone.
    /// </summary>
    Task<int> TakeAsync(string key, DateTimeOffset windowStart, TimeSpan window, int wanted, int limit, CancellationToken cancellationToken);
}
