using System.Globalization;
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
    private readonly CounterTable<QuotaReservationEntity> _counters =
        new(service.GetTableClient(options.Value.TablePrefix + "QuotaReservations"), "quota", logger);

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

    public Task<long> ReadAsync(string key, DateTimeOffset month, CancellationToken cancellationToken) =>
        _counters.ReadAsync(TableKeys.Segment(key), MonthRow(month), cancellationToken);

    private Task<(long Change, long Total)> ChangeAsync(string key, DateTimeOffset month, Func<long, long> changeOf, CancellationToken cancellationToken) =>
        _counters.ChangeAsync(TableKeys.Segment(key), MonthRow(month), MonthRow(month.AddMonths(-2)), changeOf, cancellationToken);

    private static string MonthRow(DateTimeOffset month) => month.UtcDateTime.ToString("yyyyMM", CultureInfo.InvariantCulture);
}
