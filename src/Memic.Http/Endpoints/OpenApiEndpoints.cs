using Memic.Http.OpenApi;
using Memic.Http.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Memic.Http.Endpoints;

/// <summary><c>GET /openapi/v1.json</c>: the API's OpenAPI 3.1 document, from the host's <see cref="IOpenApiDocumentSource"/>.</summary>
internal static class OpenApiEndpoints
{
    public static IEnumerable<MemicRoute> Routes =>
    [
        new("OpenApiDocument", HttpMethods.Get, MemicOpenApi.DocumentPath, RouteAudience.Public, RateLimit: null, GetDocumentAsync)
        {
            Metadata = [new ExcludeFromDescriptionAttribute()],
        },
    ];

    private static async Task<ContentHttpResult> GetDocumentAsync(IOpenApiDocumentSource source, CancellationToken cancellationToken) =>
        TypedResults.Text(await source.GetJsonAsync(cancellationToken), "application/json; charset=utf-8");
}
