using Memic.Core.Users;

namespace Memic.Core.Ports;

/// <summary>The catalog's users part: dashboard users, their sessions and recent failed sign-ins.</summary>
public interface IUserCatalog
{
    /// <summary>Adds a user; an email already used by any user is a conflict.</summary>
    Task AddUserAsync(MemicUser user, CancellationToken cancellationToken);

    Task<MemicUser?> GetUserAsync(Guid id, CancellationToken cancellationToken);

    Task<MemicUser?> FindUserByEmailAsync(string email, CancellationToken cancellationToken);

    Task<IReadOnlyList<MemicUser>> ListUsersAsync(Guid organizationId, CancellationToken cancellationToken);

    /// <summary>Removes the user and their sessions. Idempotent.</summary>
    Task RemoveUserAsync(Guid id, CancellationToken cancellationToken);

    Task AddSessionAsync(UserSession session, CancellationToken cancellationToken);

    Task<UserSession?> GetSessionAsync(byte[] tokenHash, CancellationToken cancellationToken);

    Task TouchSessionAsync(byte[] tokenHash, DateTimeOffset lastSeenAt, CancellationToken cancellationToken);

    /// <summary>Ends a session. Idempotent.</summary>
    Task RemoveSessionAsync(byte[] tokenHash, CancellationToken cancellationToken);

    /// <summary>Records a failed sign-in for the email and forgets failures older than <paramref name="forgetBefore"/>.</summary>
    Task RecordLoginFailureAsync(string email, DateTimeOffset at, DateTimeOffset forgetBefore, CancellationToken cancellationToken);

    /// <summary>When the email's sign-ins failed since <paramref name="since"/>, oldest first.</summary>
    Task<IReadOnlyList<DateTimeOffset>> ListLoginFailuresAsync(string email, DateTimeOffset since, CancellationToken cancellationToken);
}
