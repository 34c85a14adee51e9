using Memic.Http.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Memic.Http.Logging;

/// <summary>
/// One line per request, Memic's own: method, route template (never the path's query text, never a header, so never a
/// key), status, duration, request id and the caller's environment. ASP.NET Core's own request lines stay at Warning.
/// </summary>
internal sealed partial class RequestLogMiddleware(RequestDelegate next, TimeProvider time, ILogger<RequestLogMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var started = time.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(no route)";
            var environmentId = (await EnvironmentCaller.BindAsync(context))?.EnvironmentId;
            LogRequest(logger, context.Request.Method, route, context.Response.StatusCode,
                time.GetElapsedTime(started).TotalMilliseconds, RequestIds.Find(context) ?? "-", environmentId);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} {Route} {StatusCode} in {ElapsedMilliseconds:0.0} ms (request {RequestId}, environment {EnvironmentId})")]
    private static partial void LogRequest(ILogger logger, string method, string route, int statusCode, double elapsedMilliseconds, string requestId, Guid? environmentId);
}
