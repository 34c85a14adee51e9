using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Memic.Functions.Http;

/// <summary>Search and chat over an environment's files (CONTRACT §6–§7).</summary>
public sealed class SearchFunctions(SharedRoutes routes)
{
    [Function("Search")]
    public Task<IResult> Search([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = RoutePrefixes.Docs + "search")] HttpRequest request) =>
        routes.RunAsync("Search", request);

    [Function("SdkSearch")]
    public Task<IResult> SdkSearch([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = RoutePrefixes.Sdk + "search")] HttpRequest request) =>
        routes.RunAsync("Search", request);

    [Function("Chat")]
    public Task<IResult> Chat([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = RoutePrefixes.Docs + "chat")] HttpRequest request) =>
        routes.RunAsync("Chat", request);

    [Function("SdkChat")]
    public Task<IResult> SdkChat([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = RoutePrefixes.Sdk + "chat")] HttpRequest request) =>
        routes.RunAsync("Chat", request);
}
