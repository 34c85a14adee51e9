using System.Globalization;
using System.Text;
using Memic.Core.Quotas;
using Memic.Core.Usage;

namespace Memic.Http.Contracts;

/// <summary>What the environment holds and has used this month, beside its quotas.</summary>
public sealed record QuotaUsageResponse(long Files, long StorageBytes, long MonthlySearches, long MonthlyChats, long MonthlyEmbeddingTokens);

/// <summary><c>GET /environments/{id}/quotas</c>: the quotas (null is unlimited), current use, and when monthly quotas reset.</summary>
public sealed record QuotasResponse(
    Guid EnvironmentId,
    long? MaxFiles,
    long? MaxStorageBytes,
    long? MaxMonthlySearches,
    long? MaxMonthlyChats,
    long? MaxMonthlyEmbeddingTokens,
    QuotaUsageResponse Usage,
    DateTimeOffset PeriodStart,
    DateTimeOffset ResetsAt)
{
    public static QuotasResponse From(Guid environmentId, QuotaStatus status) => new(
        environmentId,
        status.Quotas.MaxFiles, status.Quotas.MaxStorageBytes, status.Quotas.MaxMonthlySearches, status.Quotas.MaxMonthlyChats, status.Quotas.MaxMonthlyEmbeddingTokens,
        new QuotaUsageResponse(status.Holdings.Files, status.Holdings.Bytes, status.MonthlySearches, status.MonthlyChats, status.MonthlyEmbeddingTokens),
        status.MonthStartedAt,
        status.MonthResetsAt);
}

/// <summary>One row of the billing export (CONTRACT §17): an environment in a period.</summary>
public sealed record UsageExportRowResponse(
    Guid OrganizationId,
    Guid ProjectId,
    Guid EnvironmentId,
    string EnvironmentSlug,
    DateTimeOffset PeriodStart,
    DateTimeOffset PeriodEnd,
    long Requests,
    long Searches,
    long Chats,
    long Files,
    long Bytes,
    long Pages,
    long Chunks,
    long EmbeddingTokens)
{
    /// <summary>The CSV header: the JSON field names, in the same order.</summary>
    public const string CsvHeader =
        "organization_id,project_id,environment_id,environment_slug,period_start,period_end,requests,searches,chats,files,bytes,pages,chunks,embedding_tokens";

    public static UsageExportRowResponse From(UsageExportRow row) => new(
        row.OrganizationId, row.ProjectId, row.EnvironmentId, row.EnvironmentSlug, row.PeriodStart, row.PeriodEnd,
        row.Counters.Requests, row.Counters.Searches, row.Counters.Chats, row.Counters.Files, row.Counters.Bytes,
        row.Counters.Pages, row.Counters.Chunks, row.Counters.EmbeddingTokens);

    /// <summary>One CSV line. Slugs are <c>a-z 0-9 -</c>, so no field needs quoting.</summary>
    public string ToCsv() => string.Join(',',
        OrganizationId.ToString("D"), ProjectId.ToString("D"), EnvironmentId.ToString("D"), EnvironmentSlug,
        Timestamp(PeriodStart), Timestamp(PeriodEnd),
        Number(Requests), Number(Searches), Number(Chats), Number(Files), Number(Bytes), Number(Pages), Number(Chunks), Number(EmbeddingTokens));

    public static string Csv(IEnumerable<UsageExportRowResponse> rows)
    {
        var csv = new StringBuilder(CsvHeader).Append("\r\n");
        foreach (var row in rows)
        {
            csv.Append(row.ToCsv()).Append("\r\n");
        }

        return csv.ToString();
    }

    private static string Timestamp(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>The billing export as JSON.</summary>
public sealed record UsageExportResponse(DateOnly From, DateOnly To, UsageGranularity Granularity, IReadOnlyList<UsageExportRowResponse> Rows);
