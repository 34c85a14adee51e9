using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Memic.Functions.Http;

/// <summary><c>GET /health</c> (CONTRACT §10) and the OpenAPI document.</summary>
public sealed class HealthFunctions(SharedRoutes routes)
{
    [Function("Health")]
    public Task<IResult> Health([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request) => routes.RunAsync("Health", request);

    [Function("OpenApiDocument")]
    public Task<IResult> OpenApiDocument([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "openapi/v1.json")] HttpRequest request) =>
        routes.RunAsync("OpenApiDocument", request);
}
