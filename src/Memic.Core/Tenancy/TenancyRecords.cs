namespace Memic.Core.Tenancy;

public sealed record Organization(Guid Id, string Name, DateTimeOffset CreatedAt);

public sealed record Project(
    Guid Id,
    string Name,
    Guid OrganizationId,
    bool IsActive,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>
/// Lifecycle of an environment (CONTRACT §10). Only <see cref="Ready"/> environments serve requests.
/// </summary>
public enum EnvironmentStatus
{
    Provisioning,
    Ready,
    Failed,
    Deleting,
}

/// <summary>The tenancy boundary: every file, chunk, vector, folder, prompt and key belongs to exactly one.</summary>
public sealed record MemicEnvironment(
    Guid Id,
    string Slug,
    string Name,
    Guid ProjectId,
    Guid OrganizationId,
    EnvironmentStatus Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    /// <summary>When its keys stop working and the sweeper deletes it (CONTRACT §16); null = never.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    public bool IsExpiredAt(DateTimeOffset now) => ExpiresAt <= now;
}

public sealed record Folder(
    Guid Id,
    Guid EnvironmentId,
    string Name,
    bool IsDefault,
    DateTimeOffset CreatedAt);

/// <summary>
/// Everything a data-plane request knows about its caller, resolved from the API key alone.
/// </summary>
public sealed record EnvironmentContext(
    Organization Organization,
    Project Project,
    MemicEnvironment Environment,
    Guid KeyId);
