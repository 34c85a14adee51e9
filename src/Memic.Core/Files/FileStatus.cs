namespace Memic.Core.Files;

/// <summary>
/// The 16 statuses of CONTRACT §4, in pipeline order. On the wire they are snake_case
/// (<c>conversion_started</c>); the SDK rejects anything else.
/// </summary>
public enum FileStatus
{
    Uploading,
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
    Ready,
}

public static class FileStatusExtensions
{
    /// <summary>Ready or any <c>*_failed</c>: nothing more will happen to the file.</summary>
    public static bool IsTerminal(this FileStatus status) => status is FileStatus.Ready or FileStatus.UploadFailed
        or FileStatus.ConversionFailed or FileStatus.ParsingFailed or FileStatus.ChunkingFailed or FileStatus.EmbeddingFailed;

    /// <summary>Accepted for processing and not yet finished: what the worker resumes after a restart.</summary>
    public static bool IsInPipeline(this FileStatus status) => status is not FileStatus.Uploading && !status.IsTerminal();
}
