namespace Memic.Core.Quotas;

/// <summary>What an environment may hold and consume (CONTRACT §17); null is unlimited.</summary>
public sealed record EnvironmentQuotas(
    long? MaxFiles = null,
    long? MaxStorageBytes = null,
    long? MaxMonthlySearches = null,
    long? MaxMonthlyChats = null,
    long? MaxMonthlyEmbeddingTokens = null)
{
    public static readonly EnvironmentQuotas Unlimited = new();
}

/// <summary>What an environment holds now: its files, whatever their status, and their declared sizes.</summary>
public sealed record EnvironmentHoldings(long Files, long Bytes);

/// <summary>An environment's quotas beside what it holds and has used this month, and when the monthly ones reset.</summary>
public sealed record QuotaStatus(
    EnvironmentQuotas Quotas,
    EnvironmentHoldings Holdings,
    long MonthlySearches,
    long MonthlyChats,
    long MonthlyEmbeddingTokens,
    DateTimeOffset MonthStartedAt,
    DateTimeOffset MonthResetsAt);
