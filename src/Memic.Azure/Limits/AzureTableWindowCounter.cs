using System.Globalization;
using Azure;
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
public sealed partial class AzureTableWindowCounter(TableServiceClient service, IOptions<AzureTableOptions> options, ILogger<AzureTableWindowCounter> logger)
    : ISharedWindowCounter
{
    private readonly TableClient _table = service.GetTableClient(options.Value.TablePrefix + "RateLimits");
    private readonly Lock _lock = new();
    private Task? _creation;

    public async Task<int> TakeAsync(string key, DateTimeOffset windowStart, TimeSpan window, int wanted, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(wanted, 1);
        await EnsureCreatedAsync(cancellationToken);
        var partition = TableKeys.Segment(key);
        var row = WindowRow(windowStart);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var stored = await _table.FindAsync<RateWindowEntity>(partition, row, cancellationToken);
                var taken = stored?.Taken ?? 0;
                var granted = Math.Min(wanted, limit - taken);
                if (granted <= 0)
                {
                    return 0;
                }

                if (stored is null)
                {
                    await _table.AddEntityAsync(new RateWindowEntity { PartitionKey = partition, RowKey = row, Taken = granted }, cancellationToken);
                    _ = ForgetWindowAsync(partition, WindowRow(windowStart - window - window));
                }
                else
                {
                    stored.Taken = taken + granted;
                    await _table.UpdateEntityAsync(stored, stored.ETag, TableUpdateMode.Replace, cancellationToken);
                }

                return granted;
            }
            catch (RequestFailedException ex) when (Optimistic.LostRace(ex) && attempt < Optimistic.MaxAttempts)
            {
                await Optimistic.PauseAsync(attempt, cancellationToken);
            }
            catch (RequestFailedException ex) when (Optimistic.LostRace(ex))
            {
                throw Optimistic.GaveUp("A shared rate-limit counter");
            }
        }
    }

    /// <summary>Row keys are the window's start in ticks, zero-padded so they sort by time.</summary>
    private static string WindowRow(DateTimeOffset windowStart) => windowStart.UtcTicks.ToString("D19", CultureInfo.InvariantCulture);

    private async Task ForgetWindowAsync(string partition, string row)
    {
        try
        {
            await _table.DeleteEntityAsync(partition, row, ETag.All, CancellationToken.None);
        }
        catch (Exception ex) when (ex is RequestFailedException or OperationCanceledException)
        {
            // Not found, or the service is busy: an old window's row is harmless, and the next window tries again.
            LogForgetFailed(ex);
        }
    }

    private Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        Task creation;
        lock (_lock)
        {
            if (_creation is null || _creation.IsFaulted || _creation.IsCanceled)
            {
                creation = _creation = _table.CreateIfNotExistsAsync(CancellationToken.None);
            }
            else
            {
                creation = _creation;
            }
        }

        return creation.WaitAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not remove an old rate-limit window")]
    private partial void LogForgetFailed(Exception exception);
}
