using Azure;
using Azure.Data.Tables;
using Memic.Azure.Internals;
using Memic.Core.Ports;
using Memic.Core.Users;
using static Memic.Azure.Internals.TableKeys;

namespace Memic.Azure.Catalog;

/// <summary>
/// Dashboard users in the tenancy table's <c>user</c> partition, each with an email marker written in the same
/// transaction (so an email is unique); sessions in <c>session</c> by token hash; failed sign-ins in <c>loginfailure</c>,
/// one row each, under the email's prefix in time order. A removed user's sessions are left behind: a session whose user
/// is gone is refused and removed when next presented.
/// </summary>
public sealed partial class AzureTableCatalog : IUserCatalog
{
    public async Task AddUserAsync(MemicUser user, CancellationToken cancellationToken) =>
        await SubmitUniqueAsync(
            await TenancyAsync(cancellationToken),
            [Add(ToEntity(user)), Add(CatalogMapping.Marker(UserPartition, UserEmail(user.Email), user.Id))],
            "A user with that email already exists.",
            cancellationToken);

    public async Task<MemicUser?> GetUserAsync(Guid id, CancellationToken cancellationToken) =>
        ToUser(await (await TenancyAsync(cancellationToken)).FindAsync<UserEntity>(UserPartition, User(id), cancellationToken));

    public async Task<MemicUser?> FindUserByEmailAsync(string email, CancellationToken cancellationToken)
    {
        var marker = await (await TenancyAsync(cancellationToken)).FindAsync<MarkerEntity>(UserPartition, UserEmail(email), cancellationToken);
        return marker is null ? null : await GetUserAsync(marker.Owner, cancellationToken);
    }

    public async Task<IReadOnlyList<MemicUser>> ListUsersAsync(Guid organizationId, CancellationToken cancellationToken)
    {
        var (from, below) = Range(Users);
        var users = await (await TenancyAsync(cancellationToken)).ListAsync<UserEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {UserPartition} and RowKey ge {from} and RowKey lt {below} and OrganizationId eq {organizationId}"),
            cancellationToken);
        return [.. users.Select(u => ToUser(u)!).OrderBy(u => u.CreatedAt).ThenBy(u => u.Id.ToString("D"), StringComparer.Ordinal)];
    }

    public async Task RemoveUserAsync(Guid id, CancellationToken cancellationToken)
    {
        var tenancy = await TenancyAsync(cancellationToken);
        var user = await tenancy.FindAsync<UserEntity>(UserPartition, User(id), cancellationToken);
        if (user is not null)
        {
            // The user row last, so a removal cut short is found and finished by running it again.
            await tenancy.DeleteAllAsync([new TableEntity(UserPartition, UserEmail(user.Email))], cancellationToken);
            await tenancy.DeleteAllAsync([new TableEntity(UserPartition, User(id))], cancellationToken);
        }
    }

    public async Task AddSessionAsync(UserSession session, CancellationToken cancellationToken) =>
        await (await TenancyAsync(cancellationToken)).AddEntityAsync(
            new SessionEntity
            {
                PartitionKey = SessionPartition,
                RowKey = Session(session.TokenHash),
                UserId = session.UserId,
                CreatedAt = session.CreatedAt,
                LastSeenAt = session.LastSeenAt,
                ExpiresAt = session.ExpiresAt,
            },
            cancellationToken);

    public async Task<UserSession?> GetSessionAsync(byte[] tokenHash, CancellationToken cancellationToken)
    {
        var entity = await (await TenancyAsync(cancellationToken)).FindAsync<SessionEntity>(SessionPartition, Session(tokenHash), cancellationToken);
        return entity is null ? null : new UserSession(tokenHash, entity.UserId, entity.CreatedAt, entity.LastSeenAt, entity.ExpiresAt);
    }

    public async Task TouchSessionAsync(byte[] tokenHash, DateTimeOffset lastSeenAt, CancellationToken cancellationToken) =>
        await (await TenancyAsync(cancellationToken)).MergeAsync(
            SessionPartition, Session(tokenHash), new Dictionary<string, object?> { [nameof(SessionEntity.LastSeenAt)] = lastSeenAt }, cancellationToken);

    public async Task RemoveSessionAsync(byte[] tokenHash, CancellationToken cancellationToken) =>
        await (await TenancyAsync(cancellationToken)).DeleteAllAsync([new TableEntity(SessionPartition, Session(tokenHash))], cancellationToken);

    public async Task RecordLoginFailureAsync(string email, DateTimeOffset at, DateTimeOffset forgetBefore, CancellationToken cancellationToken)
    {
        var tenancy = await TenancyAsync(cancellationToken);
        await tenancy.AddEntityAsync(new LoginFailureEntity { PartitionKey = LoginFailurePartition, RowKey = LoginFailure(email, at), At = at }, cancellationToken);
        var (from, _) = PrefixRange(LoginFailuresOf(email));
        var stale = await tenancy.ListAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {LoginFailurePartition} and RowKey ge {from} and RowKey lt {LoginFailuresOf(email) + forgetBefore.UtcTicks.ToString("D19", System.Globalization.CultureInfo.InvariantCulture)}"),
            [nameof(ITableEntity.PartitionKey), nameof(ITableEntity.RowKey)], cancellationToken);
        await tenancy.DeleteAllAsync(stale, cancellationToken);
    }

    public async Task<IReadOnlyList<DateTimeOffset>> ListLoginFailuresAsync(string email, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var (_, below) = PrefixRange(LoginFailuresOf(email));
        var from = LoginFailuresOf(email) + since.UtcTicks.ToString("D19", System.Globalization.CultureInfo.InvariantCulture);
        var failures = await (await TenancyAsync(cancellationToken)).ListAsync<LoginFailureEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {LoginFailurePartition} and RowKey ge {from} and RowKey lt {below}"), cancellationToken);
        return [.. failures.Select(f => f.At).Order()];
    }

    /// <summary>Replaces the row under its ETag, retrying a lost race (a status change landing in between).</summary>
    public async Task SetEnvironmentExpiryAsync(Guid id, DateTimeOffset? expiresAt, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var tenancy = await TenancyAsync(cancellationToken);
        for (var attempt = 1; ; attempt++)
        {
            var entity = await FindEnvironmentEntityAsync(id, cancellationToken);
            if (entity is null)
            {
                return;
            }

            entity.ExpiresAt = expiresAt;
            entity.UpdatedAt = at;
            try
            {
                await tenancy.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace, cancellationToken);
                return;
            }
            catch (RequestFailedException ex) when (ex.Status == 412 && attempt < 5)
            {
                // Changed since read: read it again.
            }
        }
    }

    private static UserEntity ToEntity(MemicUser user) => new()
    {
        PartitionKey = UserPartition,
        RowKey = User(user.Id),
        OrganizationId = user.OrganizationId,
        Email = user.Email,
        Role = user.Role.ToString(),
        PasswordHash = user.PasswordHash,
        CreatedAt = user.CreatedAt,
    };

    private static MemicUser? ToUser(UserEntity? entity) => entity is null
        ? null
        : new MemicUser(IdOf(entity.RowKey), entity.OrganizationId, entity.Email, Enum.Parse<UserRole>(entity.Role), entity.PasswordHash, entity.CreatedAt);
}
