using Memic.Core.Errors;
using Memic.Core.Ports;
using Memic.Core.Users;
using Memic.Http.Contracts;
using Memic.Http.Routing;
using Memic.Http.Sessions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Memic.Http.Endpoints;

/// <summary>Sign-in for the dashboard (CONTRACT §15, docs/dashboard-auth.md): a session cookie and its antiforgery token.</summary>
internal static class AuthEndpoints
{
    public static IEnumerable<MemicRoute> Routes =>
    [
        new("Login", HttpMethods.Post, MemicRoute.AuthPrefix + "/login", RouteAudience.Public, RateLimit: null, LoginAsync),
        new("Logout", HttpMethods.Post, "/logout", RouteAudience.Session, RateLimit: null, LogoutAsync),
        new("GetSession", HttpMethods.Get, "/me", RouteAudience.Session, RateLimit: null, MeAsync),
    ];

    /// <summary>200 with the user and a session cookie; 401 <c>invalid_credentials</c>; 429 after ten failures in 15 minutes.</summary>
    private static async Task<Ok<SessionResponse>> LoginAsync(
        [FromBody] LoginRequest body, HttpContext http, SignInService signIn, ITenancyCatalog tenancy, CancellationToken cancellationToken)
    {
        var started = await signIn.LoginAsync(body.Email, body.Password, cancellationToken);
        SessionCookie.Write(http, started.Token, started.SignedIn.Session);
        return TypedResults.Ok(await ResponseAsync(started.SignedIn, tenancy, cancellationToken));
    }

    private static async Task<NoContent> LogoutAsync(SessionCaller caller, HttpContext http, SignInService signIn, CancellationToken cancellationToken)
    {
        await signIn.LogoutAsync(caller.SignedIn, cancellationToken);
        SessionCookie.Clear(http);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<SessionResponse>> MeAsync(SessionCaller caller, ITenancyCatalog tenancy, CancellationToken cancellationToken) =>
        TypedResults.Ok(await ResponseAsync(caller.SignedIn, tenancy, cancellationToken));

    private static async Task<SessionResponse> ResponseAsync(SignedInUser signedIn, ITenancyCatalog tenancy, CancellationToken cancellationToken)
    {
        var user = signedIn.User;
        var organization = await tenancy.GetOrganizationAsync(user.OrganizationId, cancellationToken)
            ?? throw NotFoundException.Resource("Organization", user.OrganizationId);
        return new SessionResponse(
            new SignedInUserResponse(user.Id, user.Email, user.Role, organization.Id, organization.Name, user.CreatedAt),
            signedIn.AntiforgeryToken);
    }
}
