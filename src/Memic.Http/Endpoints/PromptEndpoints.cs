using Memic.Core.Prompts;
using Memic.Http.Contracts;
using Memic.Http.RateLimiting;
using Memic.Http.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Memic.Http.Endpoints;

/// <summary>Prompts: the live version on the data plane (CONTRACT §8) and versions on the admin API (§10).</summary>
internal static class PromptEndpoints
{
    public static IEnumerable<MemicRoute> Routes =>
    [
        new("GetPrompt", HttpMethods.Get, "/prompts/{name}", RouteAudience.DataPlane, RateLimitCategory.Prompts, GetLiveAsync),
        AdminEndpoints.Admin("CreatePromptVersion", HttpMethods.Post, "/environments/{environment_id}/prompts", CreateVersionAsync),
        AdminEndpoints.Admin("SetLivePromptVersion", HttpMethods.Put, "/environments/{environment_id}/prompts/{name}/live", SetLiveAsync),
        AdminEndpoints.Admin("ListPrompts", HttpMethods.Get, "/environments/{environment_id}/prompts", ListAsync),
        AdminEndpoints.Admin("DeletePrompt", HttpMethods.Delete, "/environments/{environment_id}/prompts/{name}", DeleteAsync),
    ];

    private static async Task<Ok<LivePromptResponse>> GetLiveAsync(
        [FromRoute(Name = "name")] string name, EnvironmentCaller caller, PromptService prompts, CancellationToken cancellationToken)
    {
        var prompt = await prompts.GetLiveAsync(caller.EnvironmentId, name, cancellationToken);
        return TypedResults.Ok(LivePromptResponse.From(prompt));
    }

    private static async Task<Created<PromptVersionResponse>> CreateVersionAsync(
        [FromRoute(Name = "environment_id")] Guid environmentId, [FromBody] CreatePromptVersionRequest body, PromptService prompts, CancellationToken cancellationToken)
    {
        var version = await prompts.CreateVersionAsync(environmentId, body.Name, body.Body, body.MakeLive, cancellationToken);
        return TypedResults.Created((string?)null, PromptVersionResponse.From(version));
    }

    private static async Task<Ok<PromptVersionResponse>> SetLiveAsync(
        [FromRoute(Name = "environment_id")] Guid environmentId, [FromRoute(Name = "name")] string name, [FromBody] SetLivePromptVersionRequest body,
        PromptService prompts, CancellationToken cancellationToken)
    {
        var version = await prompts.SetLiveVersionAsync(environmentId, name, body.VersionNumber, cancellationToken);
        return TypedResults.Ok(PromptVersionResponse.From(version));
    }

    private static async Task<Ok<PromptResponse[]>> ListAsync(
        [FromRoute(Name = "environment_id")] Guid environmentId, PromptService prompts, CancellationToken cancellationToken)
    {
        var all = await prompts.ListAsync(environmentId, cancellationToken);
        return TypedResults.Ok(all.Select(PromptResponse.From).ToArray());
    }

    private static async Task<NoContent> DeleteAsync(
        [FromRoute(Name = "environment_id")] Guid environmentId, [FromRoute(Name = "name")] string name, PromptService prompts, CancellationToken cancellationToken)
    {
        await prompts.DeleteAsync(environmentId, name, cancellationToken);
        return TypedResults.NoContent();
    }
}
