using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Memic.Core.Files;
using Microsoft.AspNetCore.Http;

namespace Memic.Http.Contracts;

/// <summary>Step 1 of the upload flow (CONTRACT §3). <c>project_id</c> is accepted for the SDK's sake and ignored.</summary>
public sealed record InitFileRequest(
    [Required, StringLength(500, MinimumLength = 1)] string Filename,
    [Required, Range(typeof(long), "1", "9223372036854775807")] long Size,
    [StringLength(255)] string? MimeType = null,
    JsonElement? Metadata = null,
    [StringLength(255)] string? ReferenceId = null,
    Guid? FolderId = null,
    [StringLength(63)] string? EnvironmentSlug = null,
    string? ProjectId = null)
{
    public FileDeclaration ToDeclaration() => new(Filename, Size, MimeType, Metadata, ReferenceId, FolderId);
}

/// <summary>The query of <c>GET /files</c> (CONTRACT §5).</summary>
public sealed record ListFilesQuery(
    [Range(1, 1_000_000)] int Page = 1,
    [Range(1, 100)] int PageSize = 50,
    FileStatus? Status = null,
    Guid? FolderId = null,
    [StringLength(255)] string? ReferenceId = null)
{
    public FileQuery ToFileQuery() => new(Page, PageSize, Status, FolderId, ReferenceId);
}

public sealed record CreateFolderRequest([Required, StringLength(255, MinimumLength = 1)] string Name);

/// <summary>The query of <c>DELETE /folders/{folder_id}</c>: a non-empty folder goes only with <c>recursive=true</c>.</summary>
public sealed record DeleteFolderQuery(bool Recursive = false);

/// <summary>
/// The parts of the one-step upload's multipart form, as the OpenAPI document shows them; the handler reads the form
/// itself so that it can stream the file and size-limit the body.
/// </summary>
public sealed record UploadFileForm(
    [Required] IFormFile File,
    string? Metadata = null,
    Guid? FolderId = null,
    [StringLength(255)] string? ReferenceId = null);
