using System.Text.Json;

namespace Memic.Core.Files;

/// <summary>A file of an environment, as the catalog keeps it (CONTRACT §4).</summary>
public sealed record StoredFile
{
    public required Guid Id { get; init; }

    public required Guid EnvironmentId { get; init; }

    public required Guid FolderId { get; init; }

    /// <summary>The display name: the original file name without any directory part.</summary>
    public required string Name { get; init; }

    public required string OriginalFilename { get; init; }

    /// <summary>The declared size in bytes; the upload must deliver exactly this many.</summary>
    public required long Size { get; init; }

    public required string MimeType { get; init; }

    public required FileStatus Status { get; init; }

    public string? ErrorMessage { get; init; }

    public string? ReferenceId { get; init; }

    /// <summary>Custom metadata: a JSON object given at upload, or null.</summary>
    public JsonElement? Metadata { get; init; }

    public int TotalChunks { get; init; }

    public int TotalEmbeddings { get; init; }

    public int? EmbeddingDimension { get; init; }

    public int? PageCount { get; init; }

    /// <summary>SHA-256 of the uploaded bytes, lowercase hex.</summary>
    public string? ContentHash { get; init; }

    /// <summary>
    /// Ingestion runs started on this file, counted before each run starts (see <see cref="Ingestion.FileIngestionPipeline"/>);
    /// only <see cref="Ports.IFileCatalog.RecordAttemptAsync"/> changes it.
    /// </summary>
    public int Attempts { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>A page of files with the filters of CONTRACT §5.</summary>
public sealed record FileQuery(int Page, int PageSize, FileStatus? Status, Guid? FolderId, string? ReferenceId);

public sealed record FilePage(IReadOnlyList<StoredFile> Items, int Total);
