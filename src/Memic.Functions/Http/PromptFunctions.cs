using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Memic.Functions.Http;

/// <summary>Prompts: the live version on the data plane (CONTRACT §8) and versions on the admin API (§10).</summary>
public sealed class PromptFunctions(SharedRoutes routes)
{
    [Function("GetPrompt")]
    public Task<IResult> GetPrompt([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = RoutePrefixes.Docs + "prompts/{name}")] HttpRequest request) =>
        routes.RunAsync("GetPrompt", request);

    [Function("SdkGetPrompt")]
    public Task<IResult> SdkGetPrompt([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = RoutePrefixes.Sdk + "prompts/{name}")] HttpRequest request) =>
        routes.RunAsync("GetPrompt", request);

    [Function("AdminCreatePromptVersion")]
    public Task<IResult> AdminCreatePromptVersion([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = RoutePrefixes.Admin + "environments/{environment_id}/prompts")] HttpRequest request) =>
        routes.RunAsync("AdminCreatePromptVersion", request);

    [Function("AdminSetLivePromptVersion")]
    public Task<IResult> AdminSetLivePromptVersion([HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = RoutePrefixes.Admin + "environments/{environment_id}/prompts/{name}/live")] HttpRequest request) =>
        routes.RunAsync("AdminSetLivePromptVersion", request);

    [Function("AdminListPrompts")]
    public Task<IResult> AdminListPrompts([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = RoutePrefixes.Admin + "environments/{environment_id}/prompts")] HttpRequest request) =>
        routes.RunAsync("AdminListPrompts", request);

    [Function("AdminDeletePrompt")]
    public Task<IResult> AdminDeletePrompt([HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = RoutePrefixes.Admin + "environments/{environment_id}/prompts/{name}")] HttpRequest request) =>
        routes.RunAsync("AdminDeletePrompt", request);
}
