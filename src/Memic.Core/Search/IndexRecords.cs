namespace Memic.Core.Search;

/// <summary>One chunk as stored in an environment's search index, with everything search filters and returns.</summary>
public sealed record IndexedChunk(
    Guid ChunkId,
    Guid FileId,
    Guid FolderId,
    int ChunkIndex,
    string Content,
    int PageNumber,
    int StartPage,
    int EndPage,
    int TokenCount,
    IReadOnlyList<string> HeadingPath,
    string FileName,
    string MimeType,
    string? ReferenceId,
    string? Category,
    string? DocumentType,
    IReadOnlyDictionary<string, string> Metadata,
    ReadOnlyMemory<float> Vector);

/// <summary>Inclusive page bounds; either end may be open.</summary>
public sealed record PageRange(int? From, int? To);

/// <summary>
/// Restrictions applied inside retrieval (never by dropping results after the top k). Every non-null list is an OR
/// of its values; all given restrictions are AND-ed.
/// </summary>
public sealed record IndexFilter
{
    public IReadOnlyList<Guid>? FileIds { get; init; }

    public IReadOnlyList<Guid>? FolderIds { get; init; }

    public IReadOnlyList<string>? MimeTypes { get; init; }

    public IReadOnlyList<string>? ReferenceIds { get; init; }

    public IReadOnlyList<int>? PageNumbers { get; init; }

    public PageRange? Pages { get; init; }

    public IReadOnlyList<string>? Categories { get; init; }

    public IReadOnlyList<string>? DocumentTypes { get; init; }

    /// <summary>Exact matches on custom file metadata.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    public static IndexFilter None { get; } = new();
}

/// <summary>A retrieval request: full-text over <see cref="Text"/> and nearest neighbours of <see cref="Vector"/>.</summary>
public sealed record IndexQuery(string Text, ReadOnlyMemory<float> Vector, IndexFilter Filter, int Candidates);

/// <summary>
/// A retrieved chunk with the raw signals it was found by; the search service fuses and calibrates them.
/// </summary>
/// <param name="TextScore">BM25 relevance (higher is better), or null when the text query did not match it.</param>
/// <param name="TextRank">1-based rank in the full-text list, or null.</param>
/// <param name="VectorSimilarity">Cosine similarity of query and chunk vectors, in [-1, 1].</param>
/// <param name="VectorRank">1-based rank in the vector list, or null when not among the vector candidates.</param>
/// <param name="RerankerScore">
/// The backend's own second-stage relevance (Azure AI Search's semantic ranker, 0–4), or null when it has none; the
/// search service then ranks with its own second stage (<see cref="PassageRanker"/>).
/// </param>
public sealed record IndexCandidate(IndexedChunk Chunk, double? TextScore, int? TextRank, double VectorSimilarity, int? VectorRank, double? RerankerScore = null);
