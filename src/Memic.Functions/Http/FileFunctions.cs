using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Memic.Functions.Http;

/// <summary>The upload flow and file routes (CONTRACT §3–§5), including the signed upload URL.</summary>
public sealed class FileFunctions(SharedRoutes routes)
{
    [Function("InitFile")]
    public Task<IResult> InitFile([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = RoutePrefixes.Docs + "files/init")] HttpRequest request) =>
        routes.RunAsync("InitFile", request);

    [Function("SdkInitFile")]
    public Task<IResult> SdkInitFile([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = RoutePrefixes.Sdk + "files/init")] HttpRequest request) =>
        routes.RunAsync("InitFile", request);

    [Function("ConfirmFile")]
    public Task<IResult> ConfirmFile([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = RoutePrefixes.Docs + "files/{file_id}/confirm")] HttpRequest request) =>
        routes.RunAsync("ConfirmFile", request);

    [Function("SdkConfirmFile")]
    public Task<IResult> SdkConfirmFile([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = RoutePrefixes.Sdk + "files/{file_id}/confirm")] HttpRequest request) =>
        routes.RunAsync("ConfirmFile", request);

    [Function("GetFileStatus")]
    public Task<IResult> GetFileStatus([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = RoutePrefixes.Docs + "files/{file_id}/status")] HttpRequest request) =>
        routes.RunAsync("GetFileStatus", request);

    [Function("SdkGetFileStatus")]
    public Task<IResult> SdkGetFileStatus([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = RoutePrefixes.Sdk + "files/{file_id}/status")] HttpRequest request) =>
        routes.RunAsync("GetFileStatus", request);

    [Function("GetFile")]
    public Task<IResult> GetFile([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = RoutePrefixes.Docs + "files/{file_id}")] HttpRequest request) =>
        routes.RunAsync("GetFile", request);

    [Function("SdkGetFile")]
    public Task<IResult> SdkGetFile([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = RoutePrefixes.Sdk + "files/{file_id}")] HttpRequest request) =>
        routes.RunAsync("GetFile", request);

    [Function("ListFiles")]
    public Task<IResult> ListFiles([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = RoutePrefixes.Docs + "files")] HttpRequest request) =>
        routes.RunAsync("ListFiles", request);

    [Function("SdkListFiles")]
    public Task<IResult> SdkListFiles([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = RoutePrefixes.Sdk + "files")] HttpRequest request) =>
        routes.RunAsync("ListFiles", request);

    [Function("DeleteFile")]
    public Task<IResult> DeleteFile([HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = RoutePrefixes.Docs + "files/{file_id}")] HttpRequest request) =>
        routes.RunAsync("DeleteFile", request);

    [Function("SdkDeleteFile")]
    public Task<IResult> SdkDeleteFile([HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = RoutePrefixes.Sdk + "files/{file_id}")] HttpRequest request) =>
        routes.RunAsync("DeleteFile", request);

    [Function("UploadFile")]
    public Task<IResult> UploadFile([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = RoutePrefixes.Docs + "files")] HttpRequest request) =>
        routes.RunAsync("UploadFile", request);

    [Function("SdkUploadFile")]
    public Task<IResult> SdkUploadFile([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = RoutePrefixes.Sdk + "files")] HttpRequest request) =>
        routes.RunAsync("UploadFile", request);

    [Function("ReceiveUpload")]
    public Task<IResult> ReceiveUpload([HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "api/v1/uploads/{file_id}")] HttpRequest request) =>
        routes.RunAsync("ReceiveUpload", request);
}
