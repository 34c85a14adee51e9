using Memic.Http.Contracts;
using Memic.Http.Routing;
using Microsoft.AspNetCore.Http;

namespace Memic.Http.Endpoints;

internal static class HealthEndpoints
{
    public static IEnumerable<MemicRoute> Routes =>
    [
        new("Health", HttpMethods.Get, "/health", RouteAudience.Public, RateLimit: null,
            _ => Task.FromResult(Respond.Ok(new HealthResponse("ok")))),
    ];
}
