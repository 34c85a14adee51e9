using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Memic.Functions.Http;

/// <summary>Folders (CONTRACT §9).</summary>
public sealed class FolderFunctions(SharedRoutes routes)
{
    [Function("ListFolders")]
    public Task<IResult> ListFolders([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = RoutePrefixes.Docs + "folders")] HttpRequest request) =>
        routes.RunAsync("ListFolders", request);

    [Function("SdkListFolders")]
    public Task<IResult> SdkListFolders([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = RoutePrefixes.Sdk + "folders")] HttpRequest request) =>
        routes.RunAsync("ListFolders", request);

    [Function("CreateFolder")]
    public Task<IResult> CreateFolder([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = RoutePrefixes.Docs + "folders")] HttpRequest request) =>
        routes.RunAsync("CreateFolder", request);

    [Function("SdkCreateFolder")]
    public Task<IResult> SdkCreateFolder([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = RoutePrefixes.Sdk + "folders")] HttpRequest request) =>
        routes.RunAsync("CreateFolder", request);

    [Function("GetFolder")]
    public Task<IResult> GetFolder([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = RoutePrefixes.Docs + "folders/{folder_id}")] HttpRequest request) =>
        routes.RunAsync("GetFolder", request);

    [Function("SdkGetFolder")]
    public Task<IResult> SdkGetFolder([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = RoutePrefixes.Sdk + "folders/{folder_id}")] HttpRequest request) =>
        routes.RunAsync("GetFolder", request);

    [Function("DeleteFolder")]
    public Task<IResult> DeleteFolder([HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = RoutePrefixes.Docs + "folders/{folder_id}")] HttpRequest request) =>
        routes.RunAsync("DeleteFolder", request);

    [Function("SdkDeleteFolder")]
    public Task<IResult> SdkDeleteFolder([HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = RoutePrefixes.Sdk + "folders/{folder_id}")] HttpRequest request) =>
        routes.RunAsync("DeleteFolder", request);
}
