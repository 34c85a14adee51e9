using Memic.Core.Errors;
using Memic.Core.Keys;
using Memic.Http.Routing;
using Microsoft.AspNetCore.Http;

namespace Memic.Http.Filters;

/// <summary>
/// Lets a request through only with a key for the route's audience: an environment key in <c>X-API-Key</c> on the
/// data plane (which then becomes the handler's <see cref="EnvironmentCaller"/>), the admin key in <c>X-Admin-Key</c>
/// on the admin API.
/// </summary>
internal sealed class AuthenticationFilter(RouteAudience audience, ApiKeyVerifier verifier) : IEndpointFilter
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
                    var caller = await verifier.VerifyAsync(http.Request.Headers[ApiKeyHeader].ToString(), http.RequestAborted);
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

                    var caller = await verifier.VerifyAsync(http.Request.Headers[AdminKeyHeader].ToString(), http.RequestAborted);
                    if (caller is not { IsAdmin: true })
                    {
                        throw new UnauthorizedException("Invalid or missing admin key. Send the admin key in the X-Admin-Key header.");
                    }

                    break;
                }
        }

        return await next(context);
    }
}
