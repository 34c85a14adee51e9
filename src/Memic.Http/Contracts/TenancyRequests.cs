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

public sealed record CreateEnvironmentRequest(
    [Required, StringLength(EnvironmentSlug.MaxLength, MinimumLength = 1)] string Slug,
    [StringLength(InputRules.MaxNameLength, MinimumLength = 1)] string? Name = null,
    Guid? ProjectId = null);

public sealed record CreateKeyRequest([StringLength(ApiKeyService.MaxKeyNameLength, MinimumLength = 1)] string? Name = null);

/// <summary>The query of the usage route: a window of days, by default the 30 ending today (UTC).</summary>
public sealed record UsageQuery(DateOnly? From = null, DateOnly? To = null);
