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
    SearchRoute? ForceRoute);

/// <summary>One passage found, with its calibrated score.</summary>
public sealed record SearchHit(IndexedChunk Chunk, double Score);

public sealed record SearchRouting(SearchRoute Route, string Reasoning);

public sealed record SearchOutcome(IReadOnlyList<SearchHit> Hits, SearchRouting Routing, double ElapsedMilliseconds);
