namespace Memic.Core.Usage;

/// <summary>Per-environment, per-day counters (CONTRACT §10 usage).</summary>
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
    public UsageCounters Plus(UsageCounters other) => new(
        Requests + other.Requests, Searches + other.Searches, Chats + other.Chats, Files + other.Files,
        Bytes + other.Bytes, Pages + other.Pages, Chunks + other.Chunks, EmbeddingTokens + other.EmbeddingTokens);
}

public sealed record DailyUsage(DateOnly Day, UsageCounters Counters);
