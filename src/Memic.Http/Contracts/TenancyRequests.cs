using System.ComponentModel.DataAnnotations;
using Memic.Core.Errors;
using Memic.Core.Keys;
using Memic.Core.Tenancy;

namespace Memic.Http.Contracts;

/// <summary>Admin API bodies (CONTRACT §10).</summary>
public sealed record CreateOrganizationRequest([Required, StringLength(InputRules.MaxNameLength, MinimumLength = 1)] string Name);

public sealed record CreateProjectRequest(
    [Required, StringLength(InputRules.MaxNameLength, MinimumLength = 1)] string Name,
    Guid? OrganizationId = null);

/// <summary>A new environment; <c>expires_at</c> (RFC 3339) or <c>ttl_hours</c> makes it short-lived (CONTRACT §16).</summary>
public sealed record CreateEnvironmentRequest(
    [Required, StringLength(EnvironmentSlug.MaxLength, MinimumLength = 1)] string Slug,
    [StringLength(InputRules.MaxNameLength, MinimumLength = 1)] string? Name = null,
    Guid? ProjectId = null,
    DateTimeOffset? ExpiresAt = null,
    [Range(0.0, EnvironmentLifetime.MaxTtlHours)] double? TtlHours = null) : IValidatableObject
{
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) => LifetimeRules.Validate(ExpiresAt, TtlHours);
}

/// <summary>
/// <c>PATCH /environments/{id}</c>: a new <c>expires_at</c> or <c>ttl_hours</c> from now renews the lifetime; neither (or
/// <c>{"expires_at": null}</c>) clears it, so the environment never expires.
/// </summary>
public sealed record UpdateEnvironmentRequest(
    DateTimeOffset? ExpiresAt = null,
    [Range(0.0, EnvironmentLifetime.MaxTtlHours)] double? TtlHours = null) : IValidatableObject
{
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) => LifetimeRules.Validate(ExpiresAt, TtlHours);
}

internal static class LifetimeRules
{
    public static IEnumerable<ValidationResult> Validate(DateTimeOffset? expiresAt, double? ttlHours)
    {
        if (expiresAt is not null && ttlHours is not null)
        {
            yield return new Requests.FieldValidationResult(["body", "ttl_hours"], "Give expires_at or ttl_hours, not both.", "value_error");
        }
    }
}

public sealed record CreateKeyRequest([StringLength(ApiKeyService.MaxKeyNameLength, MinimumLength = 1)] string? Name = null);

/// <summary>The query of the admin project list: an organization for the admin key (a user always sees their own).</summary>
public sealed record ProjectsQuery(Guid? OrganizationId = null);

/// <summary>The query of the usage route: a window of days, by default the 30 ending today (UTC).</summary>
public sealed record UsageQuery(DateOnly? From = null, DateOnly? To = null);
