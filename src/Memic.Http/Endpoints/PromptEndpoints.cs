using Memic.Core.Prompts;
using Memic.Http.Contracts;
using Memic.Http.RateLimiting;
using Memic.Http.Routing;
using Microsoft.AspNetCore.Http;

namespace Memic.Http.Endpoints;

/// <summary>Prompts: the live version on the data plane (CONTRACT §8) and versions on the admin API (§10).</summary>
internal static class PromptEndpoints
{
    public static IEnumerable<MemicRoute> Routes =>
    [
        new("GetPrompt", HttpMethods.Get, "/prompts/{name}", RouteAudience.DataPlane, RateLimitCategory.Prompts, GetLiveAsync),
        Admin("CreatePromptVersion", HttpMethods.Post, "/environments/{environment_id}/prompts", CreateVersionAsync),
        Admin("SetLivePromptVersion", HttpMethods.Put, "/environments/{environment_id}/prompts/{name}/live", SetLiveAsync),
        Admin("ListPrompts", HttpMethods.Get, "/environments/{environment_id}/prompts", ListAsync),
        Admin("DeletePrompt", HttpMethods.Delete, "/environments/{environment_id}/prompts/{name}", DeleteAsync),
    ];

    private static MemicRoute Admin(string name, string method, string pattern, MemicHandler handler) =>
        new("Admin" + name, method, pattern, RouteAudience.Admin, RateLimit: null, handler);

    private static async Task<IResult> GetLiveAsync(MemicRequest request)
    {
        var prompt = await request.Service<PromptService>().GetLiveAsync(request.Environment.Environment.Id, Name(request), request.Aborted);
        return Respond.Ok(LivePromptResponse.From(prompt));
    }

    private static async Task<IResult> CreateVersionAsync(MemicRequest request)
    {
        var environmentId = EnvironmentId(request);
        var body = await request.BodyAsync();
        var name = body.ReadString("name", required: true, minLength: 1, maxLength: PromptName.MaxLength);
        var text = body.ReadString("body", required: true, minLength: 1, maxLength: PromptTemplate.MaxBodyLength);
        var makeLive = body.ReadBool("make_live") ?? true;
        body.ThrowIfInvalid();
        var version = await request.Service<PromptService>().CreateVersionAsync(environmentId, name, text, makeLive, request.Aborted);
        return Respond.Created(PromptVersionResponse.From(version));
    }

    private static async Task<IResult> SetLiveAsync(MemicRequest request)
    {
        var environmentId = EnvironmentId(request);
        var body = await request.BodyAsync();
        var versionNumber = body.ReadInt("version_number", 1, int.MaxValue, required: true);
        body.ThrowIfInvalid();
        var version = await request.Service<PromptService>().SetLiveVersionAsync(environmentId, Name(request), versionNumber!.Value, request.Aborted);
        return Respond.Ok(PromptVersionResponse.From(version));
    }

    private static async Task<IResult> ListAsync(MemicRequest request)
    {
        var prompts = await request.Service<PromptService>().ListAsync(EnvironmentId(request), request.Aborted);
        return Respond.Ok(prompts.Select(PromptResponse.From).ToArray());
    }

    private static async Task<IResult> DeleteAsync(MemicRequest request)
    {
        await request.Service<PromptService>().DeleteAsync(EnvironmentId(request), Name(request), request.Aborted);
        return Respond.NoContent();
    }

    private static Guid EnvironmentId(MemicRequest request) => request.RouteId("environment_id", "Environment");

    private static string Name(MemicRequest request) => request.Http.Request.RouteValues["name"] as string ?? string.Empty;
}
