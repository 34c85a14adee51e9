using System.IO.Pipelines;
using System.Text.Json;
using Memic.Core.Search;
using Memic.Http.Contracts;
using Memic.Http.Endpoints;
using Memic.Http.Requests;
using Microsoft.AspNetCore.Http;
using SearchRequest = Memic.Http.Contracts.SearchRequest;

namespace Memic.Http;

/// <summary>
/// The HTTP half of <c>POST /search</c> taken once on a made-up request, in memory: reading and binding the body, then
/// building and writing a response with one passage. The first real search otherwise compiles these (the binder's
/// reflection, the serializer's property accessors and enum converters). No service is called: no key is checked,
/// no environment is read, nothing is metered.
/// </summary>
public static class SearchRouteWarmUp
{
    private static readonly byte[] Body = """{"query":"warm-up","top_k":5,"min_score":0.5}"""u8.ToArray();

    public static async Task RunAsync(IServiceProvider services, JsonSerializerOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var http = new DefaultHttpContext { RequestServices = services };
        http.Request.Method = HttpMethods.Post;
        http.Request.ContentType = "application/json";
        http.Request.ContentLength = Body.Length;
        http.Request.Body = new MemoryStream(Body, writable: false);

        var body = BodyBinder.Bind<SearchRequest>(await JsonBodyReader.ReadObjectAsync(http.Request, cancellationToken), services);
        var request = body.ToSearch();
        var chunk = new IndexedChunk(
            Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), 0, "warm-up", 1, 1, 1, 1, ["warm-up"], "warm-up.md", "text/markdown",
            null, null, null, new Dictionary<string, string>(), ReadOnlyMemory<float>.Empty);
        var outcome = new SearchOutcome([new SearchHit(chunk, 0.5)], new SearchRouting(SearchRoute.Semantic, "warm-up"), 1);
        var response = SearchEndpoints.Response(request, outcome, Guid.NewGuid(), Guid.NewGuid());

        // As a typed result writes it: to a pipe, with the host's JSON options.
        var writer = PipeWriter.Create(Stream.Null);
        await JsonSerializer.SerializeAsync(writer, response, options.GetTypeInfo(typeof(SearchResponse)), cancellationToken);
        await writer.CompleteAsync();
    }
}
