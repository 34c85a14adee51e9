using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Memic.Functions.Http;

/// <summary>The caller's own account: <c>/me</c> and <c>/projects</c> (CONTRACT §2).</summary>
public sealed class AccountFunctions(SharedRoutes routes)
{
    [Function("GetMe")]
    public Task<IResult> GetMe([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = RoutePrefixes.Docs + "me")] HttpRequest request) =>
        routes.RunAsync("GetMe", request);

    [Function("SdkGetMe")]
    public Task<IResult> SdkGetMe([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = RoutePrefixes.Sdk + "me")] HttpRequest request) =>
        routes.RunAsync("GetMe", request);

    [Function("ListProjects")]
    public Task<IResult> ListProjects([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = RoutePrefixes.Docs + "projects")] HttpRequest request) =>
        routes.RunAsync("ListProjects", request);

    [Function("SdkListProjects")]
    public Task<IResult> SdkListProjects([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = RoutePrefixes.Sdk + "projects")] HttpRequest request) =>
        routes.RunAsync("ListProjects", request);
}
