using Memic.Http;
using Memic.Http.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Logging;

namespace Memic.Functions.Http;

/// <summary>
/// What every HTTP function gets, whatever it does: an <c>X-Request-Id</c> header, and the error envelope
/// <c>{detail, code, request_id}</c> for anything that escapes it (never a stack trace). The shared pipeline already
/// turns its handlers' errors into envelopes; this catches what happens around it. Other triggers pass through.
/// </summary>
internal sealed class HttpErrorMiddleware(ILogger<HttpErrorMiddleware> logger) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (context.GetHttpContext() is not { } http)
        {
            await next(context);
            return;
        }

        await GuardAsync(http, () => next(context));
    }

    /// <summary>Runs the function with a request id, writing the envelope for an exception if the response has not started.</summary>
    internal async Task GuardAsync(HttpContext http, Func<Task> function)
    {
        RequestIds.Ensure(http);
        try
        {
            await function();
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nobody is left to read a response.
        }
        catch (Exception ex) when (!http.Response.HasStarted)
        {
            await ErrorResponses.From(ex, http, logger).ExecuteAsync(http);
        }
    }
}
