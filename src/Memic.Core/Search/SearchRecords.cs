namespace Memic.Core.Search;

/// <summary>How a query was answered (CONTRACT §6 <c>force_route</c> and <c>routing.route</c>).</summary>
public enum SearchRoute
{
    Semantic,
    Structured,
    Hybrid,
}

/// <summary>A validated search request of one environment.</summary>
public sealed record SearchRequest(
    string Query,
    int TopK,
    double MinScore,
    IndexFilter Filter,
    bool IncludeMetadata,
    SearchRoute? ForceRoute,
    Guid? ConnectorId = null);

/// <summary>One passage found, with its calibrated score.</summary>
public sealed record SearchHit(IndexedChunk Chunk, double Score);

/// <summary>How a query was routed; the connector and SQL are set when the chat model wrote a query (CONTRACT §14).</summary>
public sealed record SearchRouting(
    SearchRoute Route,
    string Reasoning,
    Guid? ConnectorId = null,
    string? ConnectorName = null,
    string? SqlGenerated = null,
    string? SqlExplanation = null);

/// <summary>Passages found, and the rows of a structured query when a connector answered (CONTRACT §14).</summary>
public sealed record SearchOutcome(IReadOnlyList<SearchHit> Hits, SearchRouting Routing, double ElapsedMilliseconds, Connectors.StructuredResult? Structured = null);
