using Memic.Core.Users;
using Memic.Http.Contracts;
using Memic.Http.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Memic.Http.Endpoints;

/// <summary>An organization's users (CONTRACT §15), for the admin key or the organization's admins and owners.</summary>
internal static class UserEndpoints
{
    public static IEnumerable<MemicRoute> Routes =>
    [
        AdminEndpoints.Admin("CreateUser", HttpMethods.Post, "/organizations/{organization_id}/users", CreateAsync),
        AdminEndpoints.Admin("ListUsers", HttpMethods.Get, "/organizations/{organization_id}/users", ListAsync),
        AdminEndpoints.Admin("DeleteUser", HttpMethods.Delete, "/users/{user_id}", DeleteAsync),
    ];

    private static async Task<Created<UserResponse>> CreateAsync(
        [FromRoute(Name = "organization_id")] Guid organizationId, [FromBody] CreateUserRequest body, AdminCaller caller, UserService users, CancellationToken cancellationToken)
    {
        var user = await users.CreateAsync(organizationId, body.Email, body.Role!.Value, body.Password, caller.User, cancellationToken);
        return TypedResults.Created((string?)null, UserResponse.From(user));
    }

    private static async Task<Ok<UserResponse[]>> ListAsync(
        [FromRoute(Name = "organization_id")] Guid organizationId, UserService users, CancellationToken cancellationToken)
    {
        var all = await users.ListAsync(organizationId, cancellationToken);
        return TypedResults.Ok(all.Select(UserResponse.From).ToArray());
    }

    private static async Task<NoContent> DeleteAsync(
        [FromRoute(Name = "user_id")] Guid userId, AdminCaller caller, UserService users, CancellationToken cancellationToken)
    {
        await users.DeleteAsync(userId, caller.User, cancellationToken);
        return TypedResults.NoContent();
    }
}
