using System.Text.Json;
using Memic.Core.Files;
using Memic.Core.Tenancy;

namespace Memic.Http.Contracts;

/// <summary>The file object of CONTRACT §4.</summary>
public sealed record FileResponse(
    Guid Id,
    string Name,
    string OriginalFilename,
    long Size,
    string MimeType,
    Guid ProjectId,
    Guid EnvironmentId,
    string EnvironmentSlug,
    Guid FolderId,
    string? FolderName,
    FileStatus Status,
    string? ErrorMessage,
    string? ReferenceId,
    JsonElement FileMetadata,
    int TotalChunks,
    int TotalEmbeddings,
    int? EmbeddingDimension,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    public static FileResponse From(StoredFile file, EnvironmentContext context, string? folderName) => new(
        file.Id, file.Name, file.OriginalFilename, file.Size, file.MimeType,
        context.Project.Id, context.Environment.Id, context.Environment.Slug,
        file.FolderId, folderName, file.Status, file.ErrorMessage, file.ReferenceId,
        file.Metadata ?? EmptyObject, file.TotalChunks, file.TotalEmbeddings, file.EmbeddingDimension,
        file.CreatedAt, file.UpdatedAt);
}

public sealed record FileInitResponse(Guid FileId, string UploadUrl, int ExpiresIn);

public sealed record UploadReceivedResponse(Guid FileId, long Size, FileStatus Status);

/// <summary>The page of CONTRACT §5.</summary>
public sealed record FilePageResponse(IReadOnlyList<FileResponse> Items, int Total, int Page, int PageSize, int TotalPages, bool HasMore);

public sealed record FolderResponse(Guid Id, string Name, bool IsDefault, DateTimeOffset CreatedAt)
{
    public static FolderResponse From(Folder folder) => new(folder.Id, folder.Name, folder.IsDefault, folder.CreatedAt);
}
