using Memic.Core.Errors;
using Memic.Core.Users;
using Microsoft.AspNetCore.Http;

namespace Memic.Http.Routing;

/// <summary>
/// Who calls an admin route: the admin key (every organization's superuser, <see cref="User"/> null) or a signed-in
/// user, limited to their organization. A handler that takes one scopes what its body or list names to the caller;
/// ids in the route are scoped by the authentication filter before any handler runs.
/// </summary>
public sealed record AdminCaller(MemicUser? User)
{
    private static readonly object ItemKey = new();

    public static readonly AdminCaller AdminKey = new((MemicUser?)null);

    public bool IsSuperuser => User is null;

    /// <summary>Whether the caller sees the organization's things; another organization's are unknown to a user (404).</summary>
    public bool Sees(Guid organizationId) => User is null || User.OrganizationId == organizationId;

    /// <summary>Refuses (404, as unknown) what belongs to an organization the caller does not see.</summary>
    public void RequireSees(Guid organizationId, string what, Guid id)
    {
        if (!Sees(organizationId))
        {
            throw NotFoundException.Resource(what, id);
        }
    }

    public static ValueTask<AdminCaller?> BindAsync(HttpContext context) =>
        ValueTask.FromResult(context.Items.TryGetValue(ItemKey, out var caller) ? caller as AdminCaller : null);

    internal static void Set(HttpContext context, AdminCaller caller) => context.Items[ItemKey] = caller;
}

/// <summary>The signed-in user of a sign-in route (<see cref="RouteAudience.Session"/>), set by the authentication filter.</summary>
public sealed record SessionCaller(SignedInUser SignedIn)
{
    private static readonly object ItemKey = new();

    public static ValueTask<SessionCaller?> BindAsync(HttpContext context) =>
        ValueTask.FromResult(context.Items.TryGetValue(ItemKey, out var caller) ? caller as SessionCaller : null);

    internal static void Set(HttpContext context, SessionCaller caller) => context.Items[ItemKey] = caller;
}
