using Memic.Core.Errors;
using Memic.Core.Keys;
using Memic.Core.Usage;
using Memic.Http.Errors;
using Memic.Http.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Memic.Http.Routing;

/// <summary>
/// What every route goes through, in both hosts: request id, authentication for the route's audience,
/// the caller's rate limit, the handler, and one mapping of errors to the envelope.
/// </summary>
public sealed class MemicRequestPipeline(ApiKeyVerifier verifier, ApiRateLimiter limiter, UsageMeter usage, ILogger<MemicRequestPipeline> logger)
{
    public const string ApiKeyHeader = "X-API-Key";
    public const string AdminKeyHeader = "X-Admin-Key";
    private static readonly UsageCounters RequestUsage = new(Requests: 1);

    /// <summary>Runs the route and returns its result; errors come back as envelope results, never as exceptions.</summary>
    public async Task<IResult> ProcessAsync(MemicRoute route, HttpContext context)
    {
        RequestIds.Ensure(context);
        try
        {
            var caller = await AuthenticateAsync(route.Audience, context);
            if (route.RateLimit is { } category && caller is not null)
            {
                limiter.Acquire(caller.KeyId, category);
            }

            if (caller?.Environment is { } environment)
            {
                usage.Record(environment.Environment.Id, RequestUsage);
            }

            return await route.Handler(new MemicRequest(context, caller));
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nobody is left to read a response.
            return Results.Empty;
        }
        catch (Exception ex)
        {
            return ErrorResponses.From(ex, context, logger);
        }
    }

    /// <summary>Runs the route and writes its response (the local host's endpoints).</summary>
    public async Task HandleAsync(MemicRoute route, HttpContext context)
    {
        var result = await ProcessAsync(route, context);
        await result.ExecuteAsync(context);
    }

    private async ValueTask<Caller?> AuthenticateAsync(RouteAudience audience, HttpContext context)
    {
        switch (audience)
        {
            case RouteAudience.DataPlane:
                {
                    var caller = await verifier.VerifyAsync(context.Request.Headers[ApiKeyHeader].ToString(), context.RequestAborted);
                    return caller is { Scope: KeyScope.Environment, Environment: not null }
                        ? caller
                        : throw new UnauthorizedException("Invalid or missing API key. Send a valid environment key in the X-API-Key header.");
                }

            case RouteAudience.Admin:
                {
                    if (verifier.AdminApiDisabled)
                    {
                        throw new AdminApiUnavailableException();
                    }

                    var caller = await verifier.VerifyAsync(context.Request.Headers[AdminKeyHeader].ToString(), context.RequestAborted);
                    return caller is { IsAdmin: true }
                        ? caller
                        : throw new UnauthorizedException("Invalid or missing admin key. Send the admin key in the X-Admin-Key header.");
                }

            default:
                return null;
        }
    }
}
