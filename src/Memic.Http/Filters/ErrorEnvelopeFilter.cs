using Memic.Http.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Memic.Http.Filters;

/// <summary>Turns whatever the filters inside it or the handler throw into the error envelope (CONTRACT §11).</summary>
internal sealed class ErrorEnvelopeFilter(ILogger<ErrorEnvelopeFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (OperationCanceledException) when (context.HttpContext.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nobody is left to read a response.
            return Results.Empty;
        }
        catch (Exception ex)
        {
            return ErrorResponses.From(ex, context.HttpContext, logger);
        }
    }
}
