using Microsoft.AspNetCore.Http;

namespace Memic.Http.Filters;

/// <summary>Gives every response its <c>X-Request-Id</c> before anything can fail.</summary>
internal sealed class RequestIdFilter : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        RequestIds.Ensure(context.HttpContext);
        return next(context);
    }
}
