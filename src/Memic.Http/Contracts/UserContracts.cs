using System.ComponentModel.DataAnnotations;
using Memic.Core.Users;

namespace Memic.Http.Contracts;

/// <summary>A user as the admin API shows it (CONTRACT §15); never the password or its hash.</summary>
public sealed record UserResponse(Guid Id, string Email, UserRole Role, DateTimeOffset CreatedAt)
{
    public static UserResponse From(MemicUser u) => new(u.Id, u.Email, u.Role, u.CreatedAt);
}

/// <summary>The signed-in user, with the organization the dashboard works in.</summary>
public sealed record SignedInUserResponse(Guid Id, string Email, UserRole Role, Guid OrganizationId, string OrganizationName, DateTimeOffset CreatedAt);

/// <summary>
/// What sign-in and <c>/api/auth/v1/me</c> answer: the user and the antiforgery token every cookie-authenticated
/// request other than GET/HEAD sends in <c>X-XSRF-TOKEN</c>.
/// </summary>
public sealed record SessionResponse(SignedInUserResponse User, string AntiforgeryToken);

public sealed record CreateUserRequest(
    [Required, StringLength(UserInput.MaxEmailLength, MinimumLength = 3)] string Email,
    [Required] UserRole? Role,
    [Required, StringLength(UserInput.MaxPasswordLength, MinimumLength = UserInput.MinPasswordLength)] string Password);

public sealed record LoginRequest(
    [Required, StringLength(UserInput.MaxEmailLength, MinimumLength = 1)] string Email,
    [Required, StringLength(UserInput.MaxPasswordLength, MinimumLength = 1)] string Password);
