using Memic.Http.OpenApi;
using Scalar.AspNetCore;

namespace Memic.Server;

/// <summary>The API reference page at <c>/docs</c>: Scalar over <c>/openapi/v1.json</c>, its script served from the package (works offline).</summary>
internal static class ApiReference
{
    public const string Path = "/docs";

    public static IEndpointConventionBuilder MapMemicApiReference(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapScalarApiReference(Path, options => options
            .WithTitle("Memic API")
            .WithOpenApiRoutePattern(MemicOpenApi.DocumentPath));
}
