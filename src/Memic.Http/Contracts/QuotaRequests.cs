using System.ComponentModel.DataAnnotations;
using Memic.Core.Quotas;
using Memic.Core.Usage;

namespace Memic.Http.Contracts;

/// <summary>
/// <c>PUT /environments/{id}/quotas</c> (CONTRACT §17): every quota at once; null or absent is unlimited.
/// </summary>
public sealed record SetQuotasRequest(
    [Range(typeof(long), "0", "9223372036854775807")] long? MaxFiles = null,
    [Range(typeof(long), "0", "9223372036854775807")] long? MaxStorageBytes = null,
    [Range(typeof(long), "0", "9223372036854775807")] long? MaxMonthlySearches = null,
    [Range(typeof(long), "0", "9223372036854775807")] long? MaxMonthlyChats = null,
    [Range(typeof(long), "0", "9223372036854775807")] long? MaxMonthlyEmbeddingTokens = null)
{
    public EnvironmentQuotas ToQuotas() => new(MaxFiles, MaxStorageBytes, MaxMonthlySearches, MaxMonthlyChats, MaxMonthlyEmbeddingTokens);
}

public enum UsageExportFormat
{
    Json,
    Csv,
}

/// <summary>
/// The query of the billing export: whole UTC days from <c>from</c> to <c>to</c>, both included (by default this
/// month so far), per day or per hour, as JSON or CSV.
/// </summary>
public sealed record UsageExportQuery(
    DateOnly? From = null,
    DateOnly? To = null,
    UsageGranularity Granularity = UsageGranularity.Day,
    UsageExportFormat Format = UsageExportFormat.Json);
