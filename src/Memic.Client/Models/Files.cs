using System.Text.Json;
using System.Text.Json.Nodes;

namespace Memic.Client;

/// <summary>Where a file is in the ingestion pipeline (CONTRACT §4); every <c>*Failed</c> value is terminal.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(Internals.SnakeCaseEnumConverter<FileStatus>))]
public enum FileStatus
{
    /// <summary>Declared, bytes not confirmed yet.</summary>
    Uploading,
#pragma warning disable CS1591 // The stage names say it all.
    Uploaded,
    UploadFailed,
    ConversionStarted,
    ConversionComplete,
    ConversionFailed,
    ParsingStarted,
    ParsingComplete,
    ParsingFailed,
    ChunkingStarted,
    ChunkingComplete,
    ChunkingFailed,
    EmbeddingStarted,
    EmbeddingComplete,
    EmbeddingFailed,
#pragma warning restore CS1591

    /// <summary>Indexed and searchable.</summary>
    Ready,
}

/// <summary>Helpers on <see cref="FileStatus"/>.</summary>
public static class FileStatusExtensions
{
    /// <summary>Whether processing failed for good.</summary>
    public static bool IsFailed(this FileStatus status) => status is FileStatus.UploadFailed or FileStatus.ConversionFailed
        or FileStatus.ParsingFailed or FileStatus.ChunkingFailed or FileStatus.EmbeddingFailed;

    /// <summary>Whether the file will not change status any more (ready or failed).</summary>
    public static bool IsTerminal(this FileStatus status) => status == FileStatus.Ready || status.IsFailed();

    /// <summary>The status as the wire spells it, e.g. <c>embedding_started</c>.</summary>
    public static string ToWireName(this FileStatus status) => JsonNamingPolicy.SnakeCaseLower.ConvertName(status.ToString());
}

/// <summary>The file object (CONTRACT §4).</summary>
public sealed record MemicFile(
    Guid Id,
    string Name,
    string OriginalFilename,
    long Size,
    string MimeType,
    Guid ProjectId,
    Guid EnvironmentId,
    string EnvironmentSlug,
    Guid? FolderId,
    string? FolderName,
    FileStatus Status,
    string? ErrorMessage,
    string? ReferenceId,
    JsonElement FileMetadata,
    int TotalChunks,
    int TotalEmbeddings,
    int? EmbeddingDimension,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>One page of <c>GET /files</c> (CONTRACT §5).</summary>
public sealed record FilePage(IReadOnlyList<MemicFile> Items, int Total, int Page, int PageSize, int TotalPages, bool HasMore);

/// <summary>Filters of the file list; every one is optional and they are AND-ed.</summary>
public sealed record FileListFilter(FileStatus? Status = null, Guid? FolderId = null, string? ReferenceId = null);

/// <summary>The body of <c>POST /files/init</c>: the declaration of a file before its bytes move.</summary>
public sealed record InitFileRequest(
    string Filename,
    long Size,
    string MimeType,
    JsonObject? Metadata = null,
    string? ReferenceId = null,
    Guid? FolderId = null,
    string? EnvironmentSlug = null);

/// <summary>What <c>POST /files/init</c> answers: the file's id and where to PUT its bytes.</summary>
public sealed record FileUploadTicket(Guid FileId, Uri UploadUrl, int ExpiresIn);

/// <summary>A folder of the environment.</summary>
public sealed record MemicFolder(Guid Id, string Name, bool IsDefault, DateTimeOffset CreatedAt);

/// <summary>Options of <see cref="MemicClient.UploadFileAsync(string, UploadFileOptions?, IProgress{long}?, CancellationToken)"/>.</summary>
public sealed record UploadFileOptions
{
    /// <summary>The MIME type; guessed from the file name's extension when omitted.</summary>
    public string? MimeType { get; init; }

    /// <summary>The folder; the environment's default folder when omitted.</summary>
    public Guid? FolderId { get; init; }

    /// <summary>Your own id for the document (≤ 255 characters), filterable in search.</summary>
    public string? ReferenceId { get; init; }

    /// <summary>Custom metadata, filterable in search (<c>filters.metadata</c>).</summary>
    public JsonObject? Metadata { get; init; }

    /// <summary>Whether to poll until the file is ready (or failed) before returning.</summary>
    public bool WaitUntilReady { get; init; }

    /// <summary>Time between status polls while waiting.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long to wait for processing before giving up with a <see cref="TimeoutException"/>.</summary>
    public TimeSpan WaitTimeout { get; init; } = TimeSpan.FromMinutes(10);
}
