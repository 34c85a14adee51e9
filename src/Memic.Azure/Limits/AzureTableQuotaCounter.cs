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
/// Shared monthly quota counters in Table Storage (<c>&lt;prefix&gt;QuotaReservations</c>, beside the catalog): one row
/// per environment, quota and month, raised by compare-and-set on its ETag, so concurrent instances never reserve the
/// same part of a quota. Whoever opens a month removes the row of the month before last, so a quota keeps at most
/// three rows. The same store as the shared rate limits, for the same reasons (docs/limits.md).
/// </summary>
public sealed class AzureTableQuotaCounter(TableServiceClient service, IOptions<AzureTableOptions> options, ILogger<AzureTableQuotaCounter> logger)
    : ISharedQuotaCounter
{
    private readonly CounterTable _counters = new(service.GetTableClient(options.Value.TablePrefix + "QuotaReservations"), logger);

    public async Task<long> ReserveAsync(string key, DateTimeOffset month, long limit, double share, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(share);
        var (reserved, _) = await ChangeAsync(key, month, total =>
        {
            var remaining = limit - total;
            return remaining <= 0 ? 0 : Math.Clamp((long)(remaining * share), 1, remaining);
        }, cancellationToken);
        return reserved;
    }

    public async Task<long> AddAsync(string key, DateTimeOffset month, long amount, CancellationToken cancellationToken) =>
        (await ChangeAsync(key, month, reserved => Math.Max(amount, -reserved), cancellationToken)).Total;

    public async Task<long> ReadAsync(string key, DateTimeOffset month, CancellationToken cancellationToken)
    {
        await _counters.EnsureCreatedAsync(cancellationToken);
        var stored = await _counters.Client.FindAsync<QuotaReservationEntity>(TableKeys.Segment(key), MonthRow(month), cancellationToken);
        return stored?.Reserved ?? 0;
    }

    /// <summary>Applies the change <paramref name="changeOf"/> computes from the stored total, re-reading after every lost race.</summary>
    private async Task<(long Change, long Total)> ChangeAsync(string key, DateTimeOffset month, Func<long, long> changeOf, CancellationToken cancellationToken)
    {
        await _counters.EnsureCreatedAsync(cancellationToken);
        var partition = TableKeys.Segment(key);
        var row = MonthRow(month);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var stored = await _counters.Client.FindAsync<QuotaReservationEntity>(partition, row, cancellationToken);
                var reserved = stored?.Reserved ?? 0;
                var change = changeOf(reserved);
                if (change == 0)
                {
                    return (0, reserved);
                }

                if (stored is null)
                {
                    await _counters.Client.AddEntityAsync(new QuotaReservationEntity { PartitionKey = partition, RowKey = row, Reserved = change }, cancellationToken);
                    _ = _counters.ForgetAsync(partition, MonthRow(month.AddMonths(-2)));
                }
                else
                {
                    stored.Reserved = reserved + change;
                    await _counters.Client.UpdateEntityAsync(stored, stored.ETag, TableUpdateMode.Replace, cancellationToken);
                }

                return (change, reserved + change);
            }
            catch (RequestFailedException ex) when (Optimistic.LostRace(ex) && attempt < Optimistic.MaxAttempts)
            {
                await Optimistic.PauseAsync(attempt, cancellationToken);
            }
            catch (RequestFailedException ex) when (Optimistic.LostRace(ex))
            {
                throw Optimistic.GaveUp("A shared quota counter");
            }
        }
    }

    private static string MonthRow(DateTimeOffset month) => month.UtcDateTime.ToString("yyyyMM", CultureInfo.InvariantCulture);
}
