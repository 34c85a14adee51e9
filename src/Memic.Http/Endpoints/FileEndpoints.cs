using System.Globalization;
using System.Text.Json;
using Memic.Core.Errors;
using Memic.Core.Files;
using Memic.Core.Tenancy;
using Memic.Http.Contracts;
using Memic.Http.RateLimiting;
using Memic.Http.Requests;
using Memic.Http.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Memic.Http.Endpoints;

/// <summary>The upload flow and file routes (CONTRACT §3–§5) and folders (§9).</summary>
internal static class FileEndpoints
{
    /// <summary>Wire names of the 16 statuses, for the list filter.</summary>
    private static readonly Dictionary<string, FileStatus> StatusNames = MemicJson.EnumValuesByWireName<FileStatus>();

    public static IEnumerable<MemicRoute> Routes =>
    [
        new("InitFile", HttpMethods.Post, "/files/init", RouteAudience.DataPlane, RateLimitCategory.Files, InitAsync),
        new("ConfirmFile", HttpMethods.Post, "/files/{file_id}/confirm", RouteAudience.DataPlane, RateLimitCategory.Files, ConfirmAsync),
        new("GetFileStatus", HttpMethods.Get, "/files/{file_id}/status", RouteAudience.DataPlane, RateLimitCategory.Status, GetAsync),
        new("GetFile", HttpMethods.Get, "/files/{file_id}", RouteAudience.DataPlane, RateLimitCategory.Status, GetAsync),
        new("ListFiles", HttpMethods.Get, "/files", RouteAudience.DataPlane, RateLimitCategory.Lists, ListAsync),
        new("DeleteFile", HttpMethods.Delete, "/files/{file_id}", RouteAudience.DataPlane, RateLimitCategory.Files, DeleteAsync),
        new("UploadFile", HttpMethods.Post, "/files", RouteAudience.DataPlane, RateLimitCategory.Files, UploadAsync),
        new("ListFolders", HttpMethods.Get, "/folders", RouteAudience.DataPlane, RateLimitCategory.Lists, ListFoldersAsync),
        new("CreateFolder", HttpMethods.Post, "/folders", RouteAudience.DataPlane, RateLimitCategory.Files, CreateFolderAsync),
        new("GetFolder", HttpMethods.Get, "/folders/{folder_id}", RouteAudience.DataPlane, RateLimitCategory.Lists, GetFolderAsync),
        new("DeleteFolder", HttpMethods.Delete, "/folders/{folder_id}", RouteAudience.DataPlane, RateLimitCategory.Files, DeleteFolderAsync),
        // The signed upload URL: no API key, the signature is the credential (CONTRACT §3).
        new("ReceiveUpload", HttpMethods.Put, UploadUrlSigner.UploadPathPrefix + "{file_id}", RouteAudience.Public, RateLimit: null, ReceiveUploadAsync),
    ];

    private static async Task<IResult> InitAsync(MemicRequest request)
    {
        var body = await request.BodyAsync();
        var declaration = new FileDeclaration(
            body.ReadString("filename", required: true, minLength: 1, maxLength: 500)!,
            body.ReadLong("size", 1, long.MaxValue, required: true) ?? 0,
            body.ReadString("mime_type", maxLength: 255),
            body.ReadObject("metadata"),
            body.ReadString("reference_id", maxLength: 255),
            body.ReadUuid("folder_id"));
        var slug = body.ReadString("environment_slug", maxLength: 63);
        body.ReadString("project_id");
        body.ThrowIfInvalid();
        RequireOwnEnvironment(request, slug);

        var ticket = await request.Service<FileService>().InitAsync(request.Environment.Environment.Id, declaration, BaseUrl(request.Http.Request), request.Aborted);
        return Respond.Created(new FileInitResponse(ticket.File.Id, ticket.UploadUrl, ticket.ExpiresIn));
    }

    private static async Task<IResult> ReceiveUploadAsync(MemicRequest request)
    {
        var query = request.Http.Request.Query;
        var grant = Guid.TryParse(request.Http.Request.RouteValues["file_id"] as string, out var fileId)
                    && Guid.TryParse(query["environment_id"], out var environmentId)
                    && long.TryParse(query["expires"], NumberStyles.None, CultureInfo.InvariantCulture, out var expires)
                    && query["signature"].ToString() is { Length: > 0 } signature
            ? new UploadGrant(fileId, environmentId, expires, signature)
            : throw new ForbiddenException("The upload URL is incomplete or malformed.");

        AllowBodyUpTo(request, request.Service<IOptions<UploadOptions>>().Value.MaxFileBytes);
        var file = await request.Service<FileService>().ReceiveAsync(grant, request.Http.Request.Body, request.Http.Request.ContentLength, request.Aborted);
        return Respond.Ok(new UploadReceivedResponse(file.Id, file.Size, file.Status));
    }

    private static async Task<IResult> ConfirmAsync(MemicRequest request)
    {
        var file = await request.Service<FileService>().ConfirmAsync(request.Environment.Environment.Id, FileId(request), request.Aborted);
        return Respond.Ok(await ToResponseAsync(request, file));
    }

    private static async Task<IResult> GetAsync(MemicRequest request)
    {
        var file = await request.Service<FileService>().GetAsync(request.Environment.Environment.Id, FileId(request), request.Aborted);
        return Respond.Ok(await ToResponseAsync(request, file));
    }

    private static async Task<IResult> ListAsync(MemicRequest request)
    {
        var query = new QueryParameters(request.Http.Request.Query);
        var page = query.ReadInt("page", 1, 1_000_000, 1);
        var pageSize = query.ReadInt("page_size", 1, 100, 50);
        var status = query.ReadEnum("status", StatusNames);
        var folderId = query.ReadUuid("folder_id");
        var referenceId = query.ReadString("reference_id", 255);
        query.ThrowIfInvalid();

        var environmentId = request.Environment.Environment.Id;
        var result = await request.Service<FileService>().ListAsync(environmentId, new FileQuery(page, pageSize, status, folderId, referenceId), request.Aborted);
        var folderNames = await FolderNamesAsync(request);
        var totalPages = (result.Total + pageSize - 1) / pageSize;
        return Respond.Ok(new FilePageResponse(
            [.. result.Items.Select(f => FileResponse.From(f, request.Environment, folderNames.GetValueOrDefault(f.FolderId)))],
            result.Total, page, pageSize, totalPages, page < totalPages));
    }

    private static async Task<IResult> DeleteAsync(MemicRequest request)
    {
        await request.Service<FileService>().DeleteAsync(request.Environment.Environment.Id, FileId(request), request.Aborted);
        return Respond.NoContent();
    }

    private static async Task<IResult> UploadAsync(MemicRequest request)
    {
        var http = request.Http.Request;
        if (!http.HasFormContentType)
        {
            throw new BadRequestException(ErrorCodes.BadRequest, "Send the file as multipart/form-data with a 'file' part, or use POST /files/init.");
        }

        var maxBytes = request.Service<IOptions<UploadOptions>>().Value.MaxFileBytes;
        AllowBodyUpTo(request, maxBytes + (1 << 20));
        var form = await ReadFormAsync(http, maxBytes + (1 << 20), request.Aborted);
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
        var stored = await request.Service<FileService>().UploadAsync(request.Environment.Environment.Id, declaration, content, request.Aborted);
        return Respond.Created(await ToResponseAsync(request, stored));
    }

    private static async Task<IResult> ListFoldersAsync(MemicRequest request)
    {
        var folders = await request.Service<FolderService>().ListAsync(request.Environment.Environment.Id, request.Aborted);
        return Respond.Ok(folders.Select(FolderResponse.From).ToArray());
    }

    private static async Task<IResult> CreateFolderAsync(MemicRequest request)
    {
        var body = await request.BodyAsync();
        var name = body.ReadString("name", required: true, minLength: 1, maxLength: 255);
        body.ThrowIfInvalid();
        var folder = await request.Service<FolderService>().CreateAsync(request.Environment.Environment.Id, name, request.Aborted);
        return Respond.Created(FolderResponse.From(folder));
    }

    private static async Task<IResult> GetFolderAsync(MemicRequest request)
    {
        var folder = await request.Service<FolderService>().GetAsync(request.Environment.Environment.Id, FolderId(request), request.Aborted);
        return Respond.Ok(FolderResponse.From(folder));
    }

    private static async Task<IResult> DeleteFolderAsync(MemicRequest request)
    {
        var query = new QueryParameters(request.Http.Request.Query);
        var recursive = query.ReadBool("recursive");
        query.ThrowIfInvalid();
        await request.Service<FileService>().DeleteFolderAsync(request.Environment.Environment.Id, FolderId(request), recursive, request.Aborted);
        return Respond.NoContent();
    }

    private static Guid FileId(MemicRequest request) => request.RouteId("file_id", "File", ErrorCodes.FileNotFound);

    private static Guid FolderId(MemicRequest request) => request.RouteId("folder_id", "Folder", ErrorCodes.FolderNotFound);

    /// <summary><c>environment_slug</c>, when given, must be the key's own environment (CONTRACT §3).</summary>
    private static void RequireOwnEnvironment(MemicRequest request, string? slug)
    {
        if (slug is not null && slug != request.Environment.Environment.Slug)
        {
            throw new ForbiddenException("environment_slug does not match the API key's environment.");
        }
    }

    private static async Task<FileResponse> ToResponseAsync(MemicRequest request, StoredFile file)
    {
        var folderNames = await FolderNamesAsync(request);
        return FileResponse.From(file, request.Environment, folderNames.GetValueOrDefault(file.FolderId));
    }

    private static async Task<Dictionary<Guid, string>> FolderNamesAsync(MemicRequest request)
    {
        var folders = await request.Service<FolderService>().ListAsync(request.Environment.Environment.Id, request.Aborted);
        return folders.ToDictionary(f => f.Id, f => f.Name);
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

    private static void AllowBodyUpTo(MemicRequest request, long bytes)
    {
        if (request.Http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = bytes;
        }
    }
}
