using Memic.Http.RateLimiting;
using Memic.Http.Routing;
using Microsoft.AspNetCore.Http;

namespace Memic.Http.Filters;

/// <summary>Takes one request from the calling key's budget for the route's category (CONTRACT §12), or answers 429.</summary>
internal sealed class RateLimitFilter(RateLimitCategory category, ApiRateLimiter limiter) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (await EnvironmentCaller.BindAsync(context.HttpContext) is { } caller)
        {
            await limiter.AcquireAsync(caller.Caller.KeyId, category, context.HttpContext.RequestAborted);
        }

        return await next(context);
    }
}
