using Memic.Core.Errors;
using Memic.Core.Search;
using Memic.Http.Contracts;
using Memic.Http.RateLimiting;
using Memic.Http.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using CoreSearchRequest = Memic.Core.Search.SearchRequest;
using SearchRequest = Memic.Http.Contracts.SearchRequest;

namespace Memic.Http.Endpoints;

/// <summary><c>POST /search</c> (CONTRACT §6).</summary>
internal static class SearchEndpoints
{
    public static IEnumerable<MemicRoute> Routes =>
    [
        new("Search", HttpMethods.Post, "/search", RouteAudience.DataPlane, RateLimitCategory.Search, SearchAsync),
    ];

    private static async Task<Ok<SearchResponse>> SearchAsync(
        [FromBody] SearchRequest body, EnvironmentCaller caller, SearchService search, CancellationToken cancellationToken)
    {
        RequireOwnEnvironment(caller, body.EnvironmentSlug);
        var request = body.ToSearch();
        var outcome = await search.SearchAsync(caller.EnvironmentId, request, cancellationToken);
        return TypedResults.Ok(Response(request, outcome, caller.EnvironmentId, caller.Context.Project.Id));
    }

    internal static SearchResponse Response(CoreSearchRequest request, SearchOutcome outcome, Guid environmentId, Guid projectId)
    {
        var items = outcome.Hits.Select(h => SearchResultItem.From(h, projectId, request.IncludeMetadata)).ToList();
        return new SearchResponse(
            request.Query, items.Count, Math.Round(outcome.ElapsedMilliseconds, 2), environmentId, SearchScope.Applied(request.Filter),
            new SearchResults(items, StructuredResultResponse.From(outcome.Structured)), RoutingResponse.From(outcome.Routing));
    }

    /// <summary><c>environment_slug</c>, when given, must be the key's own environment (CONTRACT §3, §6).</summary>
    internal static void RequireOwnEnvironment(EnvironmentCaller caller, string? slug)
    {
        if (slug is not null && slug != caller.Context.Environment.Slug)
        {
            throw new ForbiddenException("environment_slug does not match the API key's environment.");
        }
    }
}
