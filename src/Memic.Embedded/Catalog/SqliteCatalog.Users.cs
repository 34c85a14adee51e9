using Memic.Core.Ports;
using Memic.Core.Users;
using Memic.Embedded.Internals;
using Microsoft.Data.Sqlite;

namespace Memic.Embedded.Catalog;

/// <summary>Dashboard users, their sessions (by token hash) and recent failed sign-ins.</summary>
public sealed partial class SqliteCatalog : IUserCatalog
{
    public Task AddUserAsync(MemicUser user, CancellationToken cancellationToken) =>
        InsertAsync(
            """
            INSERT INTO users (id, organization_id, email, role, password_hash, created_at)
            VALUES ($id, $org, $email, $role, $hash, $created)
            """,
            "A user with that email already exists.",
            cancellationToken,
            ("$id", user.Id), ("$org", user.OrganizationId), ("$email", user.Email), ("$role", user.Role), ("$hash", user.PasswordHash), ("$created", user.CreatedAt));

    public Task<MemicUser?> GetUserAsync(Guid id, CancellationToken cancellationToken) =>
        SingleAsync("SELECT * FROM users WHERE id = $id", MapUser, cancellationToken, ("$id", id));

    public Task<MemicUser?> FindUserByEmailAsync(string email, CancellationToken cancellationToken) =>
        SingleAsync("SELECT * FROM users WHERE email = $email", MapUser, cancellationToken, ("$email", email));

    public Task<IReadOnlyList<MemicUser>> ListUsersAsync(Guid organizationId, CancellationToken cancellationToken) =>
        ListAsync("SELECT * FROM users WHERE organization_id = $org ORDER BY created_at, id", MapUser, cancellationToken, ("$org", organizationId));

    public async Task RemoveUserAsync(Guid id, CancellationToken cancellationToken)
    {
        // Sessions go with the user through ON DELETE CASCADE.
        await using var connection = await _database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync("DELETE FROM users WHERE id = $id", cancellationToken, ("$id", id));
    }

    public Task AddSessionAsync(UserSession session, CancellationToken cancellationToken) =>
        InsertAsync(
            """
            INSERT INTO user_sessions (token_hash, user_id, created_at, last_seen_at, expires_at)
            VALUES ($hash, $user, $created, $seen, $expires)
            """,
            "That session already exists.",
            cancellationToken,
            ("$hash", session.TokenHash), ("$user", session.UserId), ("$created", session.CreatedAt), ("$seen", session.LastSeenAt), ("$expires", session.ExpiresAt));

    public Task<UserSession?> GetSessionAsync(byte[] tokenHash, CancellationToken cancellationToken) =>
        SingleAsync("SELECT * FROM user_sessions WHERE token_hash = $hash", MapSession, cancellationToken, ("$hash", tokenHash));

    public async Task TouchSessionAsync(byte[] tokenHash, DateTimeOffset lastSeenAt, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync("UPDATE user_sessions SET last_seen_at = $seen WHERE token_hash = $hash", cancellationToken, ("$hash", tokenHash), ("$seen", lastSeenAt));
    }

    public async Task RemoveSessionAsync(byte[] tokenHash, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync("DELETE FROM user_sessions WHERE token_hash = $hash", cancellationToken, ("$hash", tokenHash));
    }

    public async Task RecordLoginFailureAsync(string email, DateTimeOffset at, DateTimeOffset forgetBefore, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync("DELETE FROM login_failures WHERE at < $before", cancellationToken, ("$before", forgetBefore));
        await connection.ExecuteAsync("INSERT INTO login_failures (email, at) VALUES ($email, $at)", cancellationToken, ("$email", email), ("$at", at));
    }

    public Task<IReadOnlyList<DateTimeOffset>> ListLoginFailuresAsync(string email, DateTimeOffset since, CancellationToken cancellationToken) =>
        ListAsync("SELECT at FROM login_failures WHERE email = $email AND at >= $since ORDER BY at", r => r.GetTimestamp("at"), cancellationToken, ("$email", email), ("$since", since));

    private static MemicUser MapUser(SqliteDataReader r) =>
        new(r.GetGuid("id"), r.GetGuid("organization_id"), r.GetString("email"), Enum.Parse<UserRole>(r.GetString("role")), r.GetString("password_hash"), r.GetTimestamp("created_at"));

    private static UserSession MapSession(SqliteDataReader r) =>
        new(r.GetBytes("token_hash"), r.GetGuid("user_id"), r.GetTimestamp("created_at"), r.GetTimestamp("last_seen_at"), r.GetTimestamp("expires_at"));
}
