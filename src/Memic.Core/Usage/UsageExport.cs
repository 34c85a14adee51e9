using Memic.Core.Ports;
using Memic.Core.Tenancy;

namespace Memic.Core.Usage;

public enum UsageGranularity
{
    Day,
    Hour,
}

/// <summary>One environment's usage in one period, named the way a billing system needs (CONTRACT §17).</summary>
public sealed record UsageExportRow(
    Guid OrganizationId,
    Guid ProjectId,
    Guid EnvironmentId,
    string EnvironmentSlug,
    DateTimeOffset PeriodStart,
    DateTimeOffset PeriodEnd,
    UsageCounters Counters);

/// <summary>
/// The billing export: every environment's metered usage per day or hour. Periods in which an environment used nothing
/// have no row. Usage of a deleted environment goes with it, so a billing system exports at least as often as it bills.
/// </summary>
public sealed class UsageExport(ITenancyCatalog tenancy, IUsageCatalog catalog, UsageMeter usage)
{
    /// <summary>Environments read at once; each is one range query on the catalog.</summary>
    private const int Parallelism = 8;

    public async Task<IReadOnlyList<UsageExportRow>> ExportAsync(DateTimeOffset from, DateTimeOffset to, UsageGranularity granularity, CancellationToken cancellationToken)
    {
        await usage.FlushAsync(cancellationToken);
        var environments = await tenancy.ListEnvironmentsAsync(cancellationToken);
        var rows = new List<UsageExportRow>[environments.Count];
        await Parallel.ForAsync(0, environments.Count, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var environment = environments[i];
            var hours = await catalog.GetUsageAsync(environment.Id, from, to, ct);
            rows[i] = [.. hours
                .GroupBy(h => granularity == UsageGranularity.Hour ? h.Hour : new DateTimeOffset(h.Hour.UtcDateTime.Date, TimeSpan.Zero))
                .Select(period => new UsageExportRow(
                    environment.OrganizationId, environment.ProjectId, environment.Id, environment.Slug,
                    period.Key, granularity == UsageGranularity.Hour ? period.Key.AddHours(1) : period.Key.AddDays(1),
                    period.Aggregate(UsageCounters.None, (sum, h) => sum.Plus(h.Counters))))];
        });

        return [.. rows.SelectMany(r => r).OrderBy(r => r.PeriodStart).ThenBy(r => r.EnvironmentId)];
    }
}
