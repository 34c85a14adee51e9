namespace Memic.Client;

/// <summary>What the API key resolves to (<c>GET /me</c>).</summary>
public sealed record MemicIdentity(
    Guid OrganizationId,
    string OrganizationName,
    Guid ProjectId,
    string ProjectName,
    Guid EnvironmentId,
    string EnvironmentSlug);

/// <summary>A project of the key's organization.</summary>
public sealed record MemicProject(Guid Id, string Name, Guid OrganizationId, bool IsActive, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>An organization created through the admin API.</summary>
public sealed record MemicOrganization(Guid Id, string Name, DateTimeOffset CreatedAt);

/// <summary>Lifecycle of an environment.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(Internals.SnakeCaseEnumConverter<EnvironmentStatus>))]
public enum EnvironmentStatus
{
    /// <summary>Its index and storage are being created; it does not serve requests yet.</summary>
    Provisioning,

    /// <summary>Serving requests.</summary>
    Ready,

    /// <summary>Provisioning failed; create it again to retry.</summary>
    Failed,

    /// <summary>Being deleted.</summary>
    Deleting,
}

/// <summary>An environment: the isolation boundary of files, chunks, prompts and keys.</summary>
public sealed record MemicEnvironment(
    Guid Id,
    string Slug,
    string Name,
    Guid ProjectId,
    Guid OrganizationId,
    EnvironmentStatus Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt = null);

/// <summary>A created environment and the plaintext of its first key, shown only this once.</summary>
public sealed record CreatedEnvironment(MemicEnvironment Environment, string ApiKey);

/// <summary>An API key's metadata; the key itself is never listed.</summary>
public sealed record ApiKeyInfo(Guid Id, string Name, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt);

/// <summary>A created key with its plaintext, shown only this once.</summary>
public sealed record CreatedApiKey(Guid Id, string Name, string Prefix, DateTimeOffset CreatedAt, string ApiKey);

/// <summary>One day of an environment's usage counters.</summary>
public sealed record UsageDay(
    DateOnly Date,
    long Requests,
    long Searches,
    long Chats,
    long Files,
    long Bytes,
    long Pages,
    long Chunks,
    long EmbeddingTokens);

/// <summary>An environment's usage per day between two dates, with totals.</summary>
public sealed record EnvironmentUsage(Guid EnvironmentId, DateOnly From, DateOnly To, IReadOnlyList<UsageDay> Days, UsageDay Totals);

/// <summary>The body of <c>POST /api/admin/v1/environments</c>.</summary>
/// <param name="Slug">1–63 characters of <c>a-z 0-9 -</c>, unique within the project.</param>
/// <param name="Name">Display name; the slug when omitted.</param>
/// <param name="ProjectId">The project; the default project when omitted.</param>
/// <param name="TtlHours">Hours until the environment expires and is deleted; never when omitted.</param>
/// <param name="ExpiresAt">When the environment expires; an alternative to <paramref name="TtlHours"/>.</param>
public sealed record CreateEnvironmentRequest(
    string Slug,
    string? Name = null,
    Guid? ProjectId = null,
    double? TtlHours = null,
    DateTimeOffset? ExpiresAt = null);

internal sealed record NameBody(string? Name);

internal sealed record CreateProjectBody(string Name, Guid? OrganizationId);

internal sealed record HealthBody(string Status);
