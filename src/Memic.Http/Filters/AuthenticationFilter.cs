using System.Net;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Memic.Core.Errors;
using Memic.Core.Keys;
using Memic.Core.Ports;
using Memic.Core.Tenancy;
using Memic.Core.Users;
using Memic.Http.RateLimiting;
using Memic.Http.Routing;
using Memic.Http.Sessions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Memic.Http.Filters;

/// <summary>
/// Lets a request through only with a credential for the route's audience: an environment key in <c>X-API-Key</c> on the
/// data plane (which then becomes the handler's <see cref="EnvironmentCaller"/>), the admin key in <c>X-Admin-Key</c>
/// on the admin API, or, on both and on the sign-in routes, a signed-in user's session cookie. A key wins over the
/// cookie; a cookie-authenticated request is held to its user's organization and role, and needs the session's
/// antiforgery token unless it is a GET or HEAD (docs/dashboard-auth.md).
/// </summary>
internal sealed partial class AuthenticationFilter(
    MemicRoute route,
    ApiKeyVerifier verifier,
    SignInService signIn,
    ITenancyCatalog tenancy,
    IEnumerable<IRouteIdOwner> idOwners,
    IOptions<KeyVerificationOptions> options,
    TimeProvider time) : IEndpointFilter
{
    public const string ApiKeyHeader = "X-API-Key";
    public const string AdminKeyHeader = "X-Admin-Key";

    /// <summary>The route's ids (<c>{x_id}</c>) a signed-in user's organization must own.</summary>
    private readonly string[] _routeIds = [.. RouteValueName().Matches(route.Pattern).Select(m => m.Groups[1].Value).Where(n => n.EndsWith("_id", StringComparison.Ordinal))];

    /// <summary>Whether the handler takes an <see cref="AdminCaller"/>, and so scopes what its body and lists name itself.</summary>
    private readonly bool _handlerScopes = route.Handler.Method.GetParameters().Any(p => p.ParameterType == typeof(AdminCaller));

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        switch (route.Audience)
        {
            case RouteAudience.DataPlane when HasHeader(http, ApiKeyHeader) || SessionCookie.Read(http.Request) is null:
                {
                    var caller = await verifier.VerifyAsync(http.Request.Headers[ApiKeyHeader].ToString(), ClientAddress(http), http.RequestAborted);
                    if (caller is not { Scope: KeyScope.Environment, Environment: { } environment })
                    {
                        throw new UnauthorizedException("Invalid or missing API key. Send a valid environment key in the X-API-Key header.");
                    }

                    EnvironmentCaller.Set(http, new EnvironmentCaller(caller, environment));
                    break;
                }

            case RouteAudience.DataPlane:
                EnvironmentCaller.Set(http, await SignedInEnvironmentCallerAsync(http));
                break;

            case RouteAudience.Admin when HasHeader(http, AdminKeyHeader) || SessionCookie.Read(http.Request) is null:
                {
                    if (verifier.AdminApiDisabled)
                    {
                        throw new AdminApiUnavailableException();
                    }

                    var caller = await verifier.VerifyAsync(http.Request.Headers[AdminKeyHeader].ToString(), ClientAddress(http), http.RequestAborted);
                    if (caller is not { IsAdmin: true })
                    {
                        throw new UnauthorizedException("Invalid or missing admin key. Send the admin key in the X-Admin-Key header.");
                    }

                    AdminCaller.Set(http, AdminCaller.AdminKey);
                    break;
                }

            case RouteAudience.Admin:
                AdminCaller.Set(http, await SignedInAdminCallerAsync(http));
                break;

            case RouteAudience.Session:
                SessionCaller.Set(http, new SessionCaller(await SignedInAsync(http)));
                break;
        }

        return await next(context);
    }

    /// <summary>The session's user; 401 without a live session, 403 without the antiforgery token on a write.</summary>
    private async Task<SignedInUser> SignedInAsync(HttpContext http)
    {
        var signedIn = await signIn.AuthenticateAsync(SessionCookie.Read(http.Request), http.RequestAborted)
            ?? throw new MemicException(ErrorKind.Unauthorized, ErrorCodes.NotSignedIn, "Not signed in, or the session ended. Sign in again.");
        if (!SessionCookie.IsSafeMethod(http.Request.Method)
            && !SignInService.IsAntiforgeryTokenValid(signedIn, http.Request.Headers[SessionCookie.AntiforgeryHeader].ToString()))
        {
            throw new ForbiddenException($"Missing or wrong {SessionCookie.AntiforgeryHeader} header: send the antiforgery_token of the session.");
        }

        return signedIn;
    }

    private async Task<AdminCaller> SignedInAdminCallerAsync(HttpContext http)
    {
        var user = (await SignedInAsync(http)).User;
        if (!SessionCookie.IsSafeMethod(http.Request.Method) && !user.CanManage)
        {
            throw new ForbiddenException("Members may only read; ask an admin or owner of the organization.");
        }

        if (_routeIds.Length == 0 && !_handlerScopes)
        {
            throw new ForbiddenException("This route is only for the admin key.");
        }

        foreach (var name in _routeIds)
        {
            var raw = http.Request.RouteValues[name] as string;
            var owner = idOwners.FirstOrDefault(o => o.RouteValue == name);
            Guid? organization = owner is not null && Guid.TryParse(raw, out var id) ? await owner.OrganizationOfAsync(id, http.RequestAborted) : null;
            if (owner is null || organization != user.OrganizationId)
            {
                // Another organization's thing is unknown to this user, exactly as a made-up id is.
                throw new NotFoundException(ErrorCodes.NotFound, $"{name} '{raw}' was not found.");
            }
        }

        return new AdminCaller(user);
    }

    /// <summary>
    /// The dashboard's data-plane caller: the session's user in the environment <c>X-Memic-Environment-Id</c> names, which
    /// must be a ready environment of the user's organization (else 404). Members read, search and chat; nothing else.
    /// </summary>
    private async Task<EnvironmentCaller> SignedInEnvironmentCallerAsync(HttpContext http)
    {
        var user = (await SignedInAsync(http)).User;
        var raw = http.Request.Headers[SessionCookie.EnvironmentHeader].ToString();
        var environment = Guid.TryParse(raw, out var environmentId) ? await tenancy.GetEnvironmentAsync(environmentId, http.RequestAborted) : null;
        if (environment is not { Status: EnvironmentStatus.Ready } || environment.OrganizationId != user.OrganizationId || environment.IsExpiredAt(time.GetUtcNow()))
        {
            throw new NotFoundException(ErrorCodes.NotFound, $"Environment '{raw}' was not found. Send the id of one of your organization's environments in the {SessionCookie.EnvironmentHeader} header.");
        }

        if (!user.CanManage && !SessionCookie.IsSafeMethod(http.Request.Method) && route.RateLimit is not (RateLimitCategory.Search or RateLimitCategory.Chat))
        {
            throw new ForbiddenException("Members may read, search and chat; uploads, deletes and other changes need an admin or owner.");
        }

        var project = await tenancy.GetProjectAsync(environment.ProjectId, http.RequestAborted);
        var organization = await tenancy.GetOrganizationAsync(environment.OrganizationId, http.RequestAborted);
        if (project is null || organization is null)
        {
            throw NotFoundException.Resource("Environment", environment.Id);
        }

        // Rate limits count per user and environment: one bucket id for the pair, as a key has one.
        var bucket = new Guid(SHA256.HashData([.. user.Id.ToByteArray(), .. environment.Id.ToByteArray()]).AsSpan(0, 16));
        var context = new EnvironmentContext(organization, project, environment, bucket);
        return new EnvironmentCaller(new Caller(KeyScope.Environment, bucket, context), context);
    }

    private static bool HasHeader(HttpContext http, string name) => !string.IsNullOrEmpty(http.Request.Headers[name].ToString());

    [GeneratedRegex(@"\{([a-z_]+)\}", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex RouteValueName();

    /// <summary>Whom failed attempts are counted against: the front end's entry of X-Forwarded-For when trusted, else the connection's address.</summary>
    private string? ClientAddress(HttpContext http)
    {
        if (options.Value.TrustForwardedFor && http.Request.Headers[ForwardedForHeader].LastOrDefault() is { Length: > 0 } forwarded)
        {
            // The front end appends the address it saw ("ip:port"); entries before it are whatever the client sent.
            var last = forwarded[(forwarded.LastIndexOf(',') + 1)..].Trim();
            return IPEndPoint.TryParse(last, out var endpoint) ? endpoint.Address.ToString() : last;
        }

        return http.Connection.RemoteIpAddress?.ToString();
    }

    private const string ForwardedForHeader = "X-Forwarded-For";
}
