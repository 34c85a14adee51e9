namespace Memic.Core.Usage;

/// <summary>How metering writes its counts (CONTRACT §17).</summary>
public sealed class UsageOptions
{
    public const string Section = "Memic:Usage";

    /// <summary>How often each instance writes its counts; a crash loses at most this much of one instance's counts.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long an instance trusts the stored month-to-date totals that quotas are checked against.</summary>
    public TimeSpan QuotaReadInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// With shared quotas, the share of what remains of a monthly quota an instance reserves per round trip: reservations
    /// shrink as the month's allowance does, so what idle instances hold back is small when it matters.
    /// </summary>
    public double QuotaReservationShare { get; set; } = 0.05;
}
