using System.Globalization;
using System.Text.Json;
using Memic.Core.Errors;
using Memic.Core.Files;
using Memic.Http.Contracts;
using Memic.Http.Errors;
using Memic.Http.OpenApi;
using Memic.Http.RateLimiting;
using Memic.Http.Requests;
using Memic.Http.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Memic.Http.Endpoints;

/// <summary>The upload flow and file routes (CONTRACT §3–§5) and folders (§9).</summary>
internal static class FileEndpoints
{
    public static IEnumerable<MemicRoute> Routes =>
    [
        new("InitFile", HttpMethods.Post, "/files/init", RouteAudience.DataPlane, RateLimitCategory.Files, InitAsync),
        new("ConfirmFile", HttpMethods.Post, "/files/{file_id}/confirm", RouteAudience.DataPlane, RateLimitCategory.Files, ConfirmAsync),
        new("GetFileStatus", HttpMethods.Get, "/files/{file_id}/status", RouteAudience.DataPlane, RateLimitCategory.Status, GetAsync),
        new("GetFile", HttpMethods.Get, "/files/{file_id}", RouteAudience.DataPlane, RateLimitCategory.Status, GetAsync),
        new("ListFiles", HttpMethods.Get, "/files", RouteAudience.DataPlane, RateLimitCategory.Lists, ListAsync),
        new("DeleteFile", HttpMethods.Delete, "/files/{file_id}", RouteAudience.DataPlane, RateLimitCategory.Files, DeleteAsync),
        new("UploadFile", HttpMethods.Post, "/files", RouteAudience.DataPlane, RateLimitCategory.Files, UploadAsync)
        {
            Metadata = [new RequestBodyDescription("multipart/form-data", typeof(UploadFileForm))],
        },
        new("ListFolders", HttpMethods.Get, "/folders", RouteAudience.DataPlane, RateLimitCategory.Lists, ListFoldersAsync),
        new("CreateFolder", HttpMethods.Post, "/folders", RouteAudience.DataPlane, RateLimitCategory.Files, CreateFolderAsync),
        new("GetFolder", HttpMethods.Get, "/folders/{folder_id}", RouteAudience.DataPlane, RateLimitCategory.Lists, GetFolderAsync),
        new("DeleteFolder", HttpMethods.Delete, "/folders/{folder_id}", RouteAudience.DataPlane, RateLimitCategory.Files, DeleteFolderAsync),
        // The signed upload URL: no API key, the signature is the credential (CONTRACT §3).
        new("ReceiveUpload", HttpMethods.Put, UploadUrlSigner.UploadPathPrefix + "{file_id}", RouteAudience.Public, RateLimit: null, ReceiveUploadAsync)
        {
            Metadata =
            [
                new RequestBodyDescription("application/octet-stream", typeof(Stream)),
                new ProducesResponseTypeMetadata(StatusCodes.Status403Forbidden, typeof(ErrorEnvelope), ["application/json"]),
                new ProducesResponseTypeMetadata(StatusCodes.Status413PayloadTooLarge, typeof(ErrorEnvelope), ["application/json"]),
                new EndpointDescriptionAttribute("The upload_url of POST /files/init, used as given: its environment_id, expires and signature query values are the credential."),
            ],
        },
    ];

    private static async Task<Created<FileInitResponse>> InitAsync(
        [FromBody] InitFileRequest body, EnvironmentCaller caller, FileService files, HttpRequest http, CancellationToken cancellationToken)
    {
        SearchEndpoints.RequireOwnEnvironment(caller, body.EnvironmentSlug);
        var ticket = await files.InitAsync(caller.EnvironmentId, body.ToDeclaration(), BaseUrl(http), cancellationToken);
        return TypedResults.Created((string?)null, new FileInitResponse(ticket.File.Id, ticket.UploadUrl, ticket.ExpiresIn));
    }

    /// <summary>The signed URL's parts: anything missing or malformed is a bad signature (403), not a validation error.</summary>
    private static async Task<Ok<UploadReceivedResponse>> ReceiveUploadAsync(
        HttpRequest http, FileService files, IOptions<UploadOptions> uploads, CancellationToken cancellationToken)
    {
        var query = http.Query;
        var grant = Guid.TryParse(http.RouteValues["file_id"] as string, out var fileId)
                    && Guid.TryParse(query["environment_id"], out var environmentId)
                    && long.TryParse(query["expires"], NumberStyles.None, CultureInfo.InvariantCulture, out var expires)
                    && query["signature"].ToString() is { Length: > 0 } signature
            ? new UploadGrant(fileId, environmentId, expires, signature)
            : throw new ForbiddenException("The upload URL is incomplete or malformed.");

        AllowBodyUpTo(http, uploads.Value.MaxFileBytes);
        var file = await files.ReceiveAsync(grant, http.Body, http.ContentLength, cancellationToken);
        return TypedResults.Ok(new UploadReceivedResponse(file.Id, file.Size, file.Status));
    }

    private static async Task<Ok<FileResponse>> ConfirmAsync(
        [FromRoute(Name = "file_id")] Guid fileId, EnvironmentCaller caller, FileService files, FolderService folders, CancellationToken cancellationToken)
    {
        var file = await files.ConfirmAsync(caller.EnvironmentId, fileId, cancellationToken);
        return TypedResults.Ok(await ToResponseAsync(caller, folders, file, cancellationToken));
    }

    private static async Task<Ok<FileResponse>> GetAsync(
        [FromRoute(Name = "file_id")] Guid fileId, EnvironmentCaller caller, FileService files, FolderService folders, CancellationToken cancellationToken)
    {
        var file = await files.GetAsync(caller.EnvironmentId, fileId, cancellationToken);
        return TypedResults.Ok(await ToResponseAsync(caller, folders, file, cancellationToken));
    }

    private static async Task<Ok<FilePageResponse>> ListAsync(
        [AsParameters] ListFilesQuery query, EnvironmentCaller caller, FileService files, FolderService folders, CancellationToken cancellationToken)
    {
        var result = await files.ListAsync(caller.EnvironmentId, query.ToFileQuery(), cancellationToken);
        var folderNames = await FolderNamesAsync(caller, folders, cancellationToken);
        var totalPages = (result.Total + query.PageSize - 1) / query.PageSize;
        return TypedResults.Ok(new FilePageResponse(
            [.. result.Items.Select(f => FileResponse.From(f, caller.Context, folderNames.GetValueOrDefault(f.FolderId)))],
            result.Total, query.Page, query.PageSize, totalPages, query.Page < totalPages));
    }

    private static async Task<NoContent> DeleteAsync(
        [FromRoute(Name = "file_id")] Guid fileId, EnvironmentCaller caller, FileService files, CancellationToken cancellationToken)
    {
        await files.DeleteAsync(caller.EnvironmentId, fileId, cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// The one-step upload: a multipart form with a <c>file</c> part and optional <c>metadata</c> (a JSON object),
    /// <c>folder_id</c> and <c>reference_id</c> parts, validated together like a body.
    /// </summary>
    private static async Task<Created<FileResponse>> UploadAsync(
        HttpRequest http, EnvironmentCaller caller, FileService files, FolderService folders, IOptions<UploadOptions> uploads, CancellationToken cancellationToken)
    {
        if (!http.HasFormContentType)
        {
            throw new BadRequestException(ErrorCodes.BadRequest, "Send the file as multipart/form-data with a 'file' part, or use POST /files/init.");
        }

        var maxBytes = uploads.Value.MaxFileBytes;
        AllowBodyUpTo(http, maxBytes + (1 << 20));
        var form = await ReadFormAsync(http, maxBytes + (1 << 20), cancellationToken);
        var file = form.Files.GetFile("file");
        var errors = new List<FieldError>();
        if (file is null)
        {
            errors.Add(new FieldError(["body", "file"], "Field required.", "missing"));
        }

        var metadata = ParseMetadata(form["metadata"].ToString(), errors);
        Guid? folderId = null;
        if (form["folder_id"].ToString() is { Length: > 0 } rawFolder)
        {
            folderId = Guid.TryParse(rawFolder, out var id) ? id : null;
            if (folderId is null)
            {
                errors.Add(new FieldError(["body", "folder_id"], "Input should be a valid UUID.", "uuid_parsing"));
            }
        }

        var referenceId = form["reference_id"].ToString() is { Length: > 0 } reference ? reference : null;
        if (referenceId?.Length > 255)
        {
            errors.Add(new FieldError(["body", "reference_id"], "String should have at most 255 characters.", "string_too_long"));
        }

        if (errors.Count > 0)
        {
            throw new ValidationException(errors);
        }

        var declaration = new FileDeclaration(file!.FileName, file.Length, file.ContentType, metadata, referenceId, folderId);
        await using var content = file.OpenReadStream();
        var stored = await files.UploadAsync(caller.EnvironmentId, declaration, content, cancellationToken);
        return TypedResults.Created((string?)null, await ToResponseAsync(caller, folders, stored, cancellationToken));
    }

    private static async Task<Ok<FolderResponse[]>> ListFoldersAsync(EnvironmentCaller caller, FolderService folders, CancellationToken cancellationToken)
    {
        var all = await folders.ListAsync(caller.EnvironmentId, cancellationToken);
        return TypedResults.Ok(all.Select(FolderResponse.From).ToArray());
    }

    private static async Task<Created<FolderResponse>> CreateFolderAsync(
        [FromBody] CreateFolderRequest body, EnvironmentCaller caller, FolderService folders, CancellationToken cancellationToken)
    {
        var folder = await folders.CreateAsync(caller.EnvironmentId, body.Name, cancellationToken);
        return TypedResults.Created((string?)null, FolderResponse.From(folder));
    }

    private static async Task<Ok<FolderResponse>> GetFolderAsync(
        [FromRoute(Name = "folder_id")] Guid folderId, EnvironmentCaller caller, FolderService folders, CancellationToken cancellationToken)
    {
        var folder = await folders.GetAsync(caller.EnvironmentId, folderId, cancellationToken);
        return TypedResults.Ok(FolderResponse.From(folder));
    }

    private static async Task<NoContent> DeleteFolderAsync(
        [FromRoute(Name = "folder_id")] Guid folderId, [AsParameters] DeleteFolderQuery query, EnvironmentCaller caller, FileService files, CancellationToken cancellationToken)
    {
        await files.DeleteFolderAsync(caller.EnvironmentId, folderId, query.Recursive, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<FileResponse> ToResponseAsync(EnvironmentCaller caller, FolderService folders, StoredFile file, CancellationToken cancellationToken)
    {
        var folderNames = await FolderNamesAsync(caller, folders, cancellationToken);
        return FileResponse.From(file, caller.Context, folderNames.GetValueOrDefault(file.FolderId));
    }

    private static async Task<Dictionary<Guid, string>> FolderNamesAsync(EnvironmentCaller caller, FolderService folders, CancellationToken cancellationToken)
    {
        var all = await folders.ListAsync(caller.EnvironmentId, cancellationToken);
        return all.ToDictionary(f => f.Id, f => f.Name);
    }

    private static JsonElement? ParseMetadata(string raw, List<FieldError> errors)
    {
        if (raw.Length == 0)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(raw);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                var invalidText = JsonText.FindInvalidStrings(document.RootElement, ["body", "metadata"]);
                errors.AddRange(invalidText);
                return invalidText.Count > 0 ? null : document.RootElement.Clone();
            }
        }
        catch (JsonException)
        {
            // Reported below.
        }

        errors.Add(new FieldError(["body", "metadata"], "metadata should be a JSON object.", "dict_type"));
        return null;
    }

    /// <summary>
    /// Reads the multipart form; a body that breaks off or breaks the multipart grammar is the client's 400, not a 500.
    /// </summary>
    private static async Task<IFormCollection> ReadFormAsync(HttpRequest http, long maxBytes, CancellationToken cancellationToken)
    {
        try
        {
            return await http.ReadFormAsync(new FormOptions { MultipartBodyLengthLimit = maxBytes }, cancellationToken);
        }
        catch (InvalidDataException ex) when (ex.Message.Contains("length limit", StringComparison.OrdinalIgnoreCase))
        {
            throw new MemicException(ErrorKind.PayloadTooLarge, ErrorCodes.FileTooLarge, "The request body is too large.");
        }
        catch (Exception ex) when (ex is (IOException and not BadHttpRequestException) or InvalidDataException && !cancellationToken.IsCancellationRequested)
        {
            throw new BadRequestException(ErrorCodes.BadRequest, "The multipart/form-data body is malformed or incomplete.");
        }
    }

    private static string BaseUrl(HttpRequest request) => $"{request.Scheme}://{request.Host}{request.PathBase}";

    private static void AllowBodyUpTo(HttpRequest request, long bytes)
    {
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = bytes;
        }
    }
}
