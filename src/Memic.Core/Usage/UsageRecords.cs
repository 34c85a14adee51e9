namespace Memic.Core.Usage;

/// <summary>Per-environment usage counters (CONTRACT §10 usage, §17 billing export).</summary>
public sealed record UsageCounters(
    long Requests = 0,
    long Searches = 0,
    long Chats = 0,
    long Files = 0,
    long Bytes = 0,
    long Pages = 0,
    long Chunks = 0,
    long EmbeddingTokens = 0)
{
    public static readonly UsageCounters None = new();

    public UsageCounters Plus(UsageCounters other) => new(
        Requests + other.Requests, Searches + other.Searches, Chats + other.Chats, Files + other.Files,
        Bytes + other.Bytes, Pages + other.Pages, Chunks + other.Chunks, EmbeddingTokens + other.EmbeddingTokens);

    public UsageCounters Minus(UsageCounters other) => new(
        Requests - other.Requests, Searches - other.Searches, Chats - other.Chats, Files - other.Files,
        Bytes - other.Bytes, Pages - other.Pages, Chunks - other.Chunks, EmbeddingTokens - other.EmbeddingTokens);
}

public sealed record DailyUsage(DateOnly Day, UsageCounters Counters);

/// <summary>An environment's counters for one hour (its start, UTC), summed over every instance that counted.</summary>
public sealed record HourlyUsage(DateTimeOffset Hour, UsageCounters Counters);

/// <summary>
/// What one instance has counted for an environment in one hour since it started: a running total, never a delta, so
/// writing it again (a retry after a lost reply) cannot count anything twice.
/// </summary>
public sealed record UsageSlice(Guid EnvironmentId, DateTimeOffset Hour, UsageCounters Totals);

public static class UsageHours
{
    /// <summary>The start of the UTC hour <paramref name="at"/> falls in.</summary>
    public static DateTimeOffset HourOf(DateTimeOffset at)
    {
        var utc = at.ToUniversalTime();
        return new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, TimeSpan.Zero);
    }

    /// <summary>The start of the UTC month <paramref name="at"/> falls in: monthly quotas reset then.</summary>
    public static DateTimeOffset MonthOf(DateTimeOffset at)
    {
        var utc = at.ToUniversalTime();
        return new DateTimeOffset(utc.Year, utc.Month, 1, 0, 0, 0, TimeSpan.Zero);
    }
}
