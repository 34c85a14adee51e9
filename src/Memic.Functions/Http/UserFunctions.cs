using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Memic.Functions.Http;

/// <summary>Sign-in (CONTRACT §15) and an organization's users.</summary>
public sealed class UserFunctions(SharedRoutes routes)
{
    [Function("Login")]
    public Task<IResult> Login([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = RoutePrefixes.Auth + "login")] HttpRequest request) =>
        routes.RunAsync("Login", request);

    [Function("Logout")]
    public Task<IResult> Logout([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = RoutePrefixes.Auth + "logout")] HttpRequest request) =>
        routes.RunAsync("Logout", request);

    [Function("GetSession")]
    public Task<IResult> GetSession([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = RoutePrefixes.Auth + "me")] HttpRequest request) =>
        routes.RunAsync("GetSession", request);

    [Function("AdminCreateUser")]
    public Task<IResult> AdminCreateUser([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = RoutePrefixes.Admin + "organizations/{organization_id}/users")] HttpRequest request) =>
        routes.RunAsync("AdminCreateUser", request);

    [Function("AdminListUsers")]
    public Task<IResult> AdminListUsers([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = RoutePrefixes.Admin + "organizations/{organization_id}/users")] HttpRequest request) =>
        routes.RunAsync("AdminListUsers", request);

    [Function("AdminDeleteUser")]
    public Task<IResult> AdminDeleteUser([HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = RoutePrefixes.Admin + "users/{user_id}")] HttpRequest request) =>
        routes.RunAsync("AdminDeleteUser", request);
}
