namespace Memic.Core.Users;

/// <summary>What a user may do in their organization (CONTRACT §15): members read and search, admins and owners also manage.</summary>
public enum UserRole
{
    Owner,
    Admin,
    Member,
}

/// <summary>A person who signs in to the dashboard. <see cref="Email"/> is normalized (trimmed, lower case) and unique.</summary>
public sealed record MemicUser(Guid Id, Guid OrganizationId, string Email, UserRole Role, string PasswordHash, DateTimeOffset CreatedAt)
{
    /// <summary>Owners and admins manage; members only read and search.</summary>
    public bool CanManage => Role is UserRole.Owner or UserRole.Admin;
}

/// <summary>
/// A signed-in session as the catalog keeps it: only the SHA-256 of its random token, so a copy of the catalog cannot
/// be replayed as a cookie.
/// </summary>
public sealed record UserSession(byte[] TokenHash, Guid UserId, DateTimeOffset CreatedAt, DateTimeOffset LastSeenAt, DateTimeOffset ExpiresAt);

/// <summary>A request's signed-in user: the user, the session, and the antiforgery token bound to that session.</summary>
public sealed record SignedInUser(MemicUser User, UserSession Session, string AntiforgeryToken);

/// <summary>A new session: the cookie's token (shown to the browser only) and who it signs in.</summary>
public sealed record StartedSession(SignedInUser SignedIn, string Token);
