using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using Memic.Core.Files;
using Memic.Functions.Http;

namespace Memic.Functions.Tests;

/// <summary>The client side of the upload flow (CONTRACT §3), each step through its function, as the SDK performs it.</summary>
internal static class Uploads
{
    public const string Sentence = "The rooftop beehives are inspected every second Thursday by the facilities team.";

    public static byte[] Bytes { get; } = Encoding.UTF8.GetBytes(
        "Facilities handbook.\n\n" + Sentence + "\n\nVisitors must sign in at the front desk before going upstairs.\n");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>POST /files/init; returns the file id and its signed upload URL.</summary>
    public static async Task<(Guid FileId, string UploadUrl)> InitAsync(FunctionsTestHost host, string name)
    {
        var init = await FunctionsTestHost.InvokeAsync(
            host.Request("POST", "/api/v1/files/init", apiKey: host.ProductionKey, json: new { filename = name, size = Bytes.Length, mime_type = "text/plain" }),
            host.Create<FileFunctions>().InitFile);
        Assert.Equal(201, init.Status);
        return (init.Body.GetProperty("file_id").GetGuid(), init.Body.GetProperty("upload_url").GetString()!);
    }

    /// <summary>PUT to the upload URL with only a Content-Type, no key.</summary>
    public static async Task PutAsync(FunctionsTestHost host, string uploadUrl)
    {
        var reply = await FunctionsTestHost.InvokeAsync(
            host.Request("PUT", new Uri(uploadUrl).PathAndQuery, bytes: Bytes, contentType: "text/plain"), host.Create<FileFunctions>().ReceiveUpload);
        Assert.Equal(200, reply.Status);
    }

    /// <summary>init → PUT → confirm; returns the confirmed (uploaded, not yet ingested) file's id.</summary>
    public static async Task<Guid> UploadAndConfirmAsync(FunctionsTestHost host, string name)
    {
        var (fileId, uploadUrl) = await InitAsync(host, name);
        await PutAsync(host, uploadUrl);
        var confirm = await FunctionsTestHost.InvokeAsync(
            host.Request("POST", $"/api/v1/files/{fileId}/confirm", apiKey: host.ProductionKey), host.Create<FileFunctions>().ConfirmFile);
        Assert.Equal(200, confirm.Status);
        Assert.Equal("uploaded", confirm.Body.GetProperty("status").GetString());
        return fileId;
    }

    public static async Task<JsonElement> GetFileAsync(FunctionsTestHost host, Guid fileId)
    {
        var reply = await FunctionsTestHost.InvokeAsync(
            host.Request("GET", $"/api/v1/files/{fileId}/status", apiKey: host.ProductionKey), host.Create<FileFunctions>().GetFileStatus);
        Assert.Equal(200, reply.Status);
        return reply.Body;
    }

    /// <summary>The blob the upload wrote, as the blob trigger binds it.</summary>
    public static BlobClient Blob(Guid environmentId, Guid fileId) => Blob(environmentId.ToString(), fileId.ToString());

    public static BlobClient Blob(string environmentId, string fileId) =>
        new BlobContainerClient(Azurite.ConnectionString, FileService.UploadsContainer).GetBlobClient($"{environmentId}/{fileId}");
}
