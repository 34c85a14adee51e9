using Memic.Core.Keys;
using Memic.Core.Tenancy;

namespace Memic.Http.Contracts;

/// <summary>Wire shapes of CONTRACT §2 and §10; property names become snake_case.</summary>
public sealed record MeResponse(
    Guid OrganizationId,
    string OrganizationName,
    Guid ProjectId,
    string ProjectName,
    Guid EnvironmentId,
    string EnvironmentSlug)
{
    public static MeResponse From(EnvironmentContext context) => new(
        context.Organization.Id, context.Organization.Name,
        context.Project.Id, context.Project.Name,
        context.Environment.Id, context.Environment.Slug);
}

public sealed record OrganizationResponse(Guid Id, string Name, DateTimeOffset CreatedAt)
{
    public static OrganizationResponse From(Organization o) => new(o.Id, o.Name, o.CreatedAt);
}

public sealed record ProjectResponse(Guid Id, string Name, Guid OrganizationId, bool IsActive, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static ProjectResponse From(Project p) => new(p.Id, p.Name, p.OrganizationId, p.IsActive, p.CreatedAt, p.UpdatedAt);
}

/// <summary>An environment; <c>expires_at</c> is null when it never expires (CONTRACT §16).</summary>
public sealed record EnvironmentResponse(Guid Id, string Slug, string Name, Guid ProjectId, Guid OrganizationId, EnvironmentStatus Status, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt)
{
    public static EnvironmentResponse From(MemicEnvironment e) => new(e.Id, e.Slug, e.Name, e.ProjectId, e.OrganizationId, e.Status, e.CreatedAt, e.ExpiresAt);
}

public sealed record CreatedEnvironmentResponse(EnvironmentResponse Environment, string ApiKey)
{
    public static CreatedEnvironmentResponse From(CreatedEnvironment created) =>
        new(EnvironmentResponse.From(created.Environment), created.FirstKey.PlaintextKey);
}

public sealed record ApiKeyResponse(Guid Id, string Name, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt)
{
    public static ApiKeyResponse From(ApiKeyInfo k) => new(k.Id, k.Name, k.Prefix, k.CreatedAt, k.LastUsedAt);
}

public sealed record CreatedApiKeyResponse(Guid Id, string Name, string Prefix, DateTimeOffset CreatedAt, string ApiKey)
{
    public static CreatedApiKeyResponse From(IssuedApiKey k) => new(k.Info.Id, k.Info.Name, k.Info.Prefix, k.Info.CreatedAt, k.PlaintextKey);
}

public sealed record HealthResponse(string Status);

public sealed record UsageDayResponse(DateOnly Date, long Requests, long Searches, long Chats, long Files, long Bytes, long Pages, long Chunks, long EmbeddingTokens)
{
    public static UsageDayResponse From(Memic.Core.Usage.DailyUsage day) => new(
        day.Day, day.Counters.Requests, day.Counters.Searches, day.Counters.Chats, day.Counters.Files,
        day.Counters.Bytes, day.Counters.Pages, day.Counters.Chunks, day.Counters.EmbeddingTokens);
}

public sealed record UsageResponse(Guid EnvironmentId, DateOnly From, DateOnly To, IReadOnlyList<UsageDayResponse> Days, UsageDayResponse Totals);
