using System.Security.Cryptography;
using Memic.Core.Errors;
using Memic.Core.Ports;
using Microsoft.Extensions.Logging;

namespace Memic.Core.Users;

/// <summary>
/// An organization's users (CONTRACT §15). Who may do what is checked by the caller's role here, once: admins and owners
/// manage users of their organization, and only an owner creates or deletes an owner.
/// </summary>
public sealed class UserService(
    IUserCatalog users,
    ITenancyCatalog tenancy,
    IUserPasswordHasher hasher,
    TimeProvider time,
    ILogger<UserService> logger)
{
    public const string LocalOwnerEmail = "owner@localhost";

    /// <param name="actor">The signed-in user acting, or null for the admin key (every organization's superuser).</param>
    public async Task<MemicUser> CreateAsync(Guid organizationId, string? email, UserRole role, string? password, MemicUser? actor, CancellationToken cancellationToken)
    {
        RequireManager(actor, organizationId, role);
        var validEmail = UserInput.Email(email);
        var validPassword = UserInput.Password(password);
        _ = await tenancy.GetOrganizationAsync(organizationId, cancellationToken) ?? throw NotFoundException.Resource("Organization", organizationId);

        var user = new MemicUser(Guid.NewGuid(), organizationId, validEmail, role, hasher.Hash(validPassword), time.GetUtcNow());
        await users.AddUserAsync(user, cancellationToken);
        logger.LogInformation("Created user {UserId} with role {Role} in organization {OrganizationId}", user.Id, role, organizationId);
        return user;
    }

    public async Task<IReadOnlyList<MemicUser>> ListAsync(Guid organizationId, CancellationToken cancellationToken)
    {
        _ = await tenancy.GetOrganizationAsync(organizationId, cancellationToken) ?? throw NotFoundException.Resource("Organization", organizationId);
        return await users.ListUsersAsync(organizationId, cancellationToken);
    }

    public async Task<MemicUser> GetAsync(Guid id, CancellationToken cancellationToken) =>
        await users.GetUserAsync(id, cancellationToken) ?? throw NotFoundException.Resource("User", id);

    /// <param name="actor">As for <see cref="CreateAsync"/>; another organization's user is unknown to them (404).</param>
    public async Task DeleteAsync(Guid id, MemicUser? actor, CancellationToken cancellationToken)
    {
        var user = await users.GetUserAsync(id, cancellationToken);
        if (user is null || (actor is not null && actor.OrganizationId != user.OrganizationId))
        {
            throw NotFoundException.Resource("User", id);
        }

        RequireManager(actor, user.OrganizationId, user.Role);
        await users.RemoveUserAsync(id, cancellationToken);
        logger.LogInformation("Deleted user {UserId} of organization {OrganizationId}", id, user.OrganizationId);
    }

    /// <summary>
    /// The local server's first owner: created once in <paramref name="organizationId"/> with the given password, or a
    /// generated one. Returns the password to show once when it was generated now; null when the owner existed or the
    /// password was configured.
    /// </summary>
    public async Task<string?> EnsureLocalOwnerAsync(Guid organizationId, string? configuredPassword, CancellationToken cancellationToken)
    {
        if (await users.FindUserByEmailAsync(LocalOwnerEmail, cancellationToken) is not null)
        {
            return null;
        }

        var password = string.IsNullOrEmpty(configuredPassword) ? GeneratePassword() : UserInput.Password(configuredPassword);
        try
        {
            await users.AddUserAsync(
                new MemicUser(Guid.NewGuid(), organizationId, LocalOwnerEmail, UserRole.Owner, hasher.Hash(password), time.GetUtcNow()),
                cancellationToken);
        }
        catch (ConflictException)
        {
            // Another start made it first; its password was shown there.
            return null;
        }

        return string.IsNullOrEmpty(configuredPassword) ? password : null;
    }

    private static void RequireManager(MemicUser? actor, Guid organizationId, UserRole target)
    {
        if (actor is null)
        {
            return;
        }

        if (actor.OrganizationId != organizationId)
        {
            throw NotFoundException.Resource("Organization", organizationId);
        }

        if (!actor.CanManage)
        {
            throw new ForbiddenException("Members may not manage users; ask an admin or owner of the organization.");
        }

        if (target == UserRole.Owner && actor.Role != UserRole.Owner)
        {
            throw new ForbiddenException("Only an owner may create or delete an owner.");
        }
    }

    /// <summary>128 random bits, readable enough to copy from a terminal.</summary>
    private static string GeneratePassword() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
