using Memic.Core.Chat;
using Memic.Http.Contracts;
using Memic.Http.RateLimiting;
using Memic.Http.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using ChatRequest = Memic.Http.Contracts.ChatRequest;

namespace Memic.Http.Endpoints;

/// <summary><c>POST /chat</c> (CONTRACT §7).</summary>
internal static class ChatEndpoints
{
    public static IEnumerable<MemicRoute> Routes =>
    [
        new("Chat", HttpMethods.Post, "/chat", RouteAudience.DataPlane, RateLimitCategory.Chat, ChatAsync),
    ];

    private static async Task<Ok<ChatAnswerResponse>> ChatAsync(
        [FromBody] ChatRequest body, EnvironmentCaller caller, ChatService chat, CancellationToken cancellationToken)
    {
        SearchEndpoints.RequireOwnEnvironment(caller, body.EnvironmentSlug);
        var request = body.ToChat();
        var answer = await chat.AnswerAsync(caller.EnvironmentId, request, cancellationToken);
        var items = answer.Retrieval.Hits.Select(h => SearchResultItem.From(h, caller.Context.Project.Id, request.Search.IncludeMetadata)).ToList();
        return TypedResults.Ok(new ChatAnswerResponse(
            answer.Question, answer.Answer, answer.Model, [.. answer.Citations.Select(ChatCitationItem.From)],
            RoutingResponse.From(answer.Retrieval.Routing), new SearchResults(items, StructuredResultResponse.From(answer.Retrieval.Structured))));
    }
}
