using System.Net;
using Memic.Core.Errors;
using Memic.Core.Keys;
using Memic.Http.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Memic.Http.Filters;

/// <summary>
/// Lets a request through only with a key for the route's audience: an environment key in <c>X-API-Key</c> on the
/// data plane (which then becomes the handler's <see cref="EnvironmentCaller"/>), the admin key in <c>X-Admin-Key</c>
/// on the admin API.
/// </summary>
internal sealed class AuthenticationFilter(RouteAudience audience, ApiKeyVerifier verifier, IOptions<KeyVerificationOptions> options) : IEndpointFilter
{
    public const string ApiKeyHeader = "X-API-Key";
    public const string AdminKeyHeader = "X-Admin-Key";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        switch (audience)
        {
            case RouteAudience.DataPlane:
                {
                    var caller = await verifier.VerifyAsync(http.Request.Headers[ApiKeyHeader].ToString(), ClientAddress(http), http.RequestAborted);
                    if (caller is not { Scope: KeyScope.Environment, Environment: { } environment })
                    {
                        throw new UnauthorizedException("Invalid or missing API key. Send a valid environment key in the X-API-Key header.");
                    }

                    EnvironmentCaller.Set(http, new EnvironmentCaller(caller, environment));
                    break;
                }

            case RouteAudience.Admin:
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

                    break;
                }
        }

        return await next(context);
    }

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
