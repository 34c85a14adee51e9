using Memic.Core.Search;

namespace Memic.Http.Contracts;

/// <summary>One passage of <c>results.semantic</c> (CONTRACT §6).</summary>
public sealed record SearchResultItem(
    Guid ChunkId,
    Guid FileId,
    string FileName,
    string Content,
    double Score,
    int ChunkIndex,
    int PageNumber,
    int StartPage,
    int EndPage,
    string MimeType,
    int TokenCount,
    Guid ProjectId,
    string? ReferenceId,
    string? Category,
    string? DocumentType,
    IReadOnlyList<string> Tags,
    object? BoundingBoxes)
{
    public static SearchResultItem From(SearchHit hit, Guid projectId, bool includeMetadata)
    {
        var c = hit.Chunk;
        return new SearchResultItem(
            c.ChunkId, c.FileId, c.FileName, c.Content, hit.Score, c.ChunkIndex, c.PageNumber, c.StartPage, c.EndPage,
            c.MimeType, c.TokenCount, projectId,
            includeMetadata ? c.ReferenceId : null,
            includeMetadata ? c.Category : null,
            includeMetadata ? c.DocumentType : null,
            includeMetadata ? c.HeadingPath : [],
            BoundingBoxes: null);
    }
}

public sealed record SearchResults(IReadOnlyList<SearchResultItem> Semantic, StructuredResultResponse? Structured);

public sealed record RoutingResponse(
    SearchRoute Route,
    string Reasoning,
    Guid? ConnectorId,
    string? ConnectorName,
    string? SqlGenerated,
    string? SqlExplanation)
{
    public static RoutingResponse From(SearchRouting routing) =>
        new(routing.Route, routing.Reasoning, routing.ConnectorId, routing.ConnectorName, routing.SqlGenerated, routing.SqlExplanation);
}

public sealed record SearchResponse(
    string Query,
    int TotalResults,
    double SearchTimeMs,
    Guid Namespace,
    IReadOnlyDictionary<string, object> FiltersApplied,
    SearchResults Results,
    RoutingResponse Routing);
