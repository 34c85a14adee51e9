using System.Text.Json;

namespace Memic.Client;

/// <summary>How a query is answered: passages, a SQL query on a connector, or both.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(Internals.SnakeCaseEnumConverter<SearchRoute>))]
public enum SearchRoute
{
    /// <summary>Passages from the environment's documents.</summary>
    Semantic,

    /// <summary>Rows from a connector's database.</summary>
    Structured,

    /// <summary>Both.</summary>
    Hybrid,
}

/// <summary>A page range filter: pages between <see cref="Gte"/> and <see cref="Lte"/>, inclusive.</summary>
public sealed record PageRange(int? Gte = null, int? Lte = null);

/// <summary>The SDK's <c>metadata_filters</c>: all AND-ed, list forms OR-ed.</summary>
public sealed record MetadataFilters
{
    /// <summary>Only passages of files with this reference id.</summary>
    public string? ReferenceId { get; init; }

    /// <summary>Only passages of files with one of these reference ids.</summary>
    public IReadOnlyList<string>? ReferenceIds { get; init; }

    /// <summary>Only passages on this page.</summary>
    public int? PageNumber { get; init; }

    /// <summary>Only passages on one of these pages.</summary>
    public IReadOnlyList<int>? PageNumbers { get; init; }

    /// <summary>Only passages within this page range.</summary>
    public PageRange? PageRange { get; init; }

    /// <summary>Only passages of this category.</summary>
    public string? Category { get; init; }

    /// <summary>Only passages of this document type.</summary>
    public string? DocumentType { get; init; }
}

/// <summary>Memic's own <c>filters</c> extension.</summary>
public sealed record SearchFilters
{
    /// <summary>Only files in these folders.</summary>
    public IReadOnlyList<Guid>? FolderIds { get; init; }

    /// <summary>Only files of these MIME types.</summary>
    public IReadOnlyList<string>? MimeTypes { get; init; }

    /// <summary>Exact matches on custom file metadata.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}

/// <summary>The body of <c>POST /search</c> (CONTRACT §6).</summary>
/// <param name="Query">1–1000 characters.</param>
public sealed record SearchRequest(string Query)
{
    /// <summary>At most this many passages (1–50; server default 10).</summary>
    public int? TopK { get; init; }

    /// <summary>No passage scoring below this (0–1; server default 0.7).</summary>
    public double? MinScore { get; init; }

    /// <summary>Only passages of these files.</summary>
    public IReadOnlyList<Guid>? FileIds { get; init; }

    /// <summary>Whether passages carry reference id, category, document type and tags (server default true).</summary>
    public bool? IncludeMetadata { get; init; }

    /// <summary>The SDK's metadata filters.</summary>
    public MetadataFilters? MetadataFilters { get; init; }

    /// <summary>Memic's folder, MIME type and custom metadata filters.</summary>
    public SearchFilters? Filters { get; init; }

    /// <summary>Forces a route instead of letting the server choose.</summary>
    public SearchRoute? ForceRoute { get; init; }

    /// <summary>The connector for structured search.</summary>
    public Guid? ConnectorId { get; init; }

    /// <summary>When given, must be the key's environment (else 403).</summary>
    public string? EnvironmentSlug { get; init; }
}

/// <summary>One passage found by search.</summary>
public sealed record SearchHit(
    Guid ChunkId,
    Guid FileId,
    string FileName,
    string Content,
    double Score,
    int ChunkIndex,
    int? PageNumber,
    int? StartPage,
    int? EndPage,
    string? MimeType,
    int TokenCount,
    Guid? ProjectId,
    string? ReferenceId,
    string? Category,
    string? DocumentType,
    IReadOnlyList<string>? Tags,
    JsonElement? BoundingBoxes);

/// <summary>The results of both kinds; <see cref="Structured"/> is null unless a connector answered.</summary>
public sealed record SearchResults(IReadOnlyList<SearchHit> Semantic, JsonElement? Structured);

/// <summary>Which route answered and why.</summary>
public sealed record SearchRouting(
    SearchRoute Route,
    string? Reasoning,
    Guid? ConnectorId,
    string? ConnectorName,
    string? SqlGenerated,
    string? SqlExplanation);

/// <summary>The response of <c>POST /search</c>.</summary>
public sealed record SearchResponse(
    string Query,
    int TotalResults,
    double SearchTimeMs,
    string Namespace,
    JsonElement FiltersApplied,
    SearchResults Results,
    SearchRouting Routing);

/// <summary>One message of a conversation.</summary>
/// <param name="Role"><c>user</c>, <c>assistant</c> or <c>system</c>.</param>
/// <param name="Content">The message text.</param>
public sealed record ChatMessage(string Role, string Content);

/// <summary>The body of <c>POST /chat</c>: a <see cref="Question"/> or a conversation in <see cref="Messages"/>.</summary>
public sealed record ChatRequest
{
    /// <summary>The question (1–1000 characters).</summary>
    public string? Question { get; init; }

    /// <summary>A conversation; the question is its last user message.</summary>
    public IReadOnlyList<ChatMessage>? Messages { get; init; }

    /// <summary>How many passages to ground the answer on (1–20).</summary>
    public int? TopK { get; init; }

    /// <summary>No passage scoring below this.</summary>
    public double? MinScore { get; init; }

    /// <summary>Only passages of these files.</summary>
    public IReadOnlyList<Guid>? FileIds { get; init; }

    /// <summary>The connector for structured answers.</summary>
    public Guid? ConnectorId { get; init; }

    /// <summary>Forces a route.</summary>
    public SearchRoute? ForceRoute { get; init; }
}

/// <summary>A passage an answer cites; the n-th citation is the answer's marker <c>[n]</c>.</summary>
public sealed record ChatCitation(Guid FileId, string FileName, int Page, string Passage);

/// <summary>The response of <c>POST /chat</c>.</summary>
public sealed record ChatResponse(
    string Question,
    string Answer,
    string Model,
    IReadOnlyList<ChatCitation> Citations,
    SearchRouting Routing,
    SearchResults Results);
