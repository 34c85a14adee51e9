using Memic.Core.Errors;
using Memic.Core.Keys;
using Memic.Core.Tenancy;
using Memic.Http.Requests;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Memic.Http.Routing;

/// <summary>What a handler gets: the HTTP request, the authenticated caller and the request's services.</summary>
public sealed class MemicRequest(HttpContext http, Caller? caller)
{
    public HttpContext Http { get; } = http;

    public Caller? Caller { get; } = caller;

    public CancellationToken Aborted => Http.RequestAborted;

    /// <summary>The caller's environment; only data-plane routes have one.</summary>
    public EnvironmentContext Environment =>
        Caller?.Environment ?? throw new InvalidOperationException("This route has no environment caller.");

    public T Service<T>()
        where T : notnull => Http.RequestServices.GetRequiredService<T>();

    /// <summary>A UUID route value; anything that is not one names nothing, so it is a 404 like an unknown id.</summary>
    public Guid RouteId(string name, string what, string notFoundCode = ErrorCodes.NotFound)
    {
        var raw = Http.Request.RouteValues[name] as string;
        return Guid.TryParse(raw, out var id)
            ? id
            : throw new NotFoundException(notFoundCode, $"{what} '{raw}' was not found.");
    }

    public Task<JsonBody> BodyAsync() => JsonBody.ReadAsync(Http.Request, Aborted);
}
