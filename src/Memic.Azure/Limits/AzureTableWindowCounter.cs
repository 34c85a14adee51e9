using System.Globalization;
using Azure.Data.Tables;
using Memic.Azure.Catalog;
using Memic.Azure.Internals;
using Memic.Core.Ports;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Memic.Azure.Limits;

/// <summary>
/// Shared fixed-window counters in Table Storage (<c>&lt;prefix&gt;RateLimits</c>, beside the catalog): one row per key
/// and window, its count raised by compare-and-set on the ETag, so concurrent instances never take the same permit.
/// Whoever opens a window removes the row of the window before last, so a key keeps at most three rows.
/// Table Storage rather than Redis or Cosmos DB because the deployment already has it, it needs no new resource or
/// secret, and a batch of permits per round trip keeps its latency (a few ms) off most requests (docs/limits.md).
/// </summary>
public sealed class AzureTableWindowCounter(TableServiceClient service, IOptions<AzureTableOptions> options, ILogger<AzureTableWindowCounter> logger)
    : ISharedWindowCounter
{
    private readonly CounterTable<RateWindowEntity> _counters =
        new(service.GetTableClient(options.Value.TablePrefix + "RateLimits"), "rate-limit", logger);

    public async Task<int> TakeAsync(string key, DateTimeOffset windowStart, TimeSpan window, int wanted, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(wanted, 1);
        var (granted, _) = await _counters.ChangeAsync(
            TableKeys.Segment(key), WindowRow(windowStart), WindowRow(windowStart - window - window),
            taken => Math.Max(0, Math.Min(wanted, limit - taken)), cancellationToken);
        return (int)granted;
    }

    /// <summary>Row keys are the window's start in ticks, zero-padded so they sort by time.</summary>
    private static string WindowRow(DateTimeOffset windowStart) => windowStart.UtcTicks.ToString("D19", CultureInfo.InvariantCulture);
}
