using Memic.Http.Contracts;
using Memic.Http.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Memic.Http.Endpoints;

internal static class HealthEndpoints
{
    public static IEnumerable<MemicRoute> Routes =>
    [
        new("Health", HttpMethods.Get, "/health", RouteAudience.Public, RateLimit: null, GetHealthAsync),
    ];

    private static Task<Ok<HealthResponse>> GetHealthAsync() => Task.FromResult(TypedResults.Ok(new HealthResponse("ok")));
}
