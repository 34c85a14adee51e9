using Memic.Core.Embeddings;
using Memic.Core.Errors;
using Memic.Core.Ports;
using Memic.Core.Quotas;
using Memic.Core.Telemetry;
using Memic.Core.Usage;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Memic.Core.Search;

/// <summary>
/// Hybrid retrieval over one environment's index: the query is embedded while the index starts its full-text half, the
/// index returns full-text and vector candidates that pass the filters (at least 50), and a second stage ranks them
/// and gives each its calibrated score: the backend's own re-ranker where it has one (Azure AI Search's semantic
/// ranker), otherwise <see cref="PassageRanker"/>. Results are sorted by score, cut at <c>min_score</c> and limited to <c>top_k</c>.
/// </summary>
public sealed class SearchService(
    ISearchIndex index,
    IEmbeddingGenerator<string, Embedding<float>> embedder,
    IEmbeddingModel model,
    UsageMeter usage,
    QuotaService quotas,
    IOptions<EmbeddingModelOptions> options,
    TimeProvider time,
    Connectors.StructuredSearch? structured = null)
{
    /// <summary>When to try again after the query embedding failed or ran out of time: soon, it is a single short input.</summary>
    public static readonly TimeSpan EmbeddingRetryAfter = TimeSpan.FromSeconds(10);

    /// <summary>Candidates asked of the index per result wanted: enough that filtering by score still fills top_k.</summary>
    private const int CandidatesPerResult = 4;

    /// <summary>The fewest candidates asked of the index: the second stage's pool (features were fitted on it).</summary>
    public const int MinimumCandidates = 50;

    private readonly RelevanceProfile _profile = RelevanceProfile.For(model.Info.ModelId);

    /// <summary>
    /// A search as the API bills it: retrieval, counted as one search in the environment's usage, traced and timed
    /// (<see cref="MemicTelemetry.SearchSpan"/>, <see cref="MemicTelemetry.SearchDurationMetric"/>). Retrieval for chat or
    /// the local server's warm-up is not a search and is not in those.
    /// </summary>
    public async Task<SearchOutcome> SearchAsync(Guid environmentId, SearchRequest request, CancellationToken cancellationToken)
    {
        await quotas.CheckSearchAsync(environmentId, cancellationToken);
        var started = time.GetTimestamp();
        using var activity = MemicTelemetry.StartSearch(environmentId);
        SearchOutcome outcome;
        try
        {
            outcome = await RetrieveAsync(environmentId, request, cancellationToken);
        }
        catch (Exception ex)
        {
            MemicTelemetry.RecordSearch(environmentId, time.GetElapsedTime(started), succeeded: false);
            MemicTelemetry.Fail(activity, ex);
            throw;
        }

        MemicTelemetry.RecordSearch(environmentId, time.GetElapsedTime(started), succeeded: true);
        activity?.SetTag("memic.search.hits", outcome.Hits.Count);
        usage.Record(environmentId, new UsageCounters(Searches: 1));
        return outcome;
    }

    /// <summary>Retrieval alone, for callers that meter their own use of it (chat counts a chat, not a search).</summary>
    public async Task<SearchOutcome> RetrieveAsync(Guid environmentId, SearchRequest request, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var decision = structured is null
            ? new Connectors.StructuredDecision(Route(request.ForceRoute), null)
            : await structured.RouteAsync(environmentId, request, cancellationToken);
        if (decision.Routing.Route == SearchRoute.Structured)
        {
            return new SearchOutcome([], decision.Routing, time.GetElapsedTime(started).TotalMilliseconds, decision.Result);
        }

        var candidates = await QueryIndexAsync(environmentId, request, cancellationToken);

        var ranked = candidates.Any(c => c.RerankerScore is not null)
            ? PassageRanker.RankByReranker(request.Query, candidates)
            : PassageRanker.Rank(request.Query, candidates, PassageRanker.Model, _profile);
        var hits = ranked
            .Select(s => new SearchHit(s.Candidate.Chunk, Math.Round(s.Score, 4)))
            .Where(h => h.Score >= request.MinScore)
            .Take(request.TopK)
            .ToList();

        return new SearchOutcome(hits, decision.Routing, time.GetElapsedTime(started).TotalMilliseconds, decision.Result);
    }

    /// <summary>
    /// The index's candidates, the query embedded while the index starts its full-text half. An embedding failure is
    /// the search's error even when the index did not need the vector (no index yet) or failed itself meanwhile.
    /// </summary>
    private async Task<IReadOnlyList<IndexCandidate>> QueryIndexAsync(Guid environmentId, SearchRequest request, CancellationToken cancellationToken)
    {
        // On the thread pool: a local model computes inside GenerateAsync before it returns a task at all.
        var vector = Task.Run(() => EmbedQueryAsync(request.Query, cancellationToken), cancellationToken);
        IReadOnlyList<IndexCandidate> candidates;
        try
        {
            candidates = await index.QueryAsync(
                environmentId,
                new IndexQuery(request.Query, ReadOnlyMemory<float>.Empty, request.Filter, Math.Max(MinimumCandidates, request.TopK * CandidatesPerResult)),
                vector,
                cancellationToken);
        }
        catch
        {
            await vector;
            throw;
        }

        await vector;
        return candidates;
    }

    /// <summary>
    /// Takes an environment's search path once so that its first search does not compile and open it: the quota check
    /// (a read; a refusal is ignored), retrieval, then a query of a found passage's own words, which reaches what only
    /// real matches do (full-text hits, the second stage's overlap features). Nothing is metered, traced or written.
    /// </summary>
    public async Task WarmUpAsync(Guid environmentId, CancellationToken cancellationToken)
    {
        try
        {
            await quotas.ProbeSearchAsync(environmentId, cancellationToken);
        }
        catch (QuotaExceededException)
        {
            // The check ran all the way: that is all the warm-up wanted of it.
        }

        var first = await RetrieveAsync(environmentId, new SearchRequest("warm-up", 1, 0, IndexFilter.None, false, null), cancellationToken);
        if (first.Hits is [var hit, ..] && WarmUpWords(hit.Chunk.Content) is { Length: > 0 } words)
        {
            await RetrieveAsync(environmentId, new SearchRequest(words, 5, 0, IndexFilter.None, true, null), cancellationToken);
        }
    }

    /// <summary>A few of a passage's words, as a query that is sure to match it.</summary>
    private static string WarmUpWords(string content) =>
        string.Join(' ', content.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Where(w => w.Length > 3).Take(6));

    /// <summary>
    /// The query's vector within <see cref="EmbeddingModelOptions.QueryBudget"/>, retries included: a search must answer
    /// well inside the 230 s Azure's front end allows a request, so a slow or failing model becomes a prompt 503.
    /// </summary>
    private async Task<ReadOnlyMemory<float>> EmbedQueryAsync(string query, CancellationToken cancellationToken)
    {
        var budget = options.Value.QueryBudget;
        using var deadline = new CancellationTokenSource(budget, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            return (await embedder.GenerateAsync([query], EmbeddingPurpose.ForQuery(), linked.Token))[0].Vector;
        }
        catch (OperationCanceledException ex) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new EmbeddingUnavailableException(
                $"The embedding model did not answer within {budget.TotalSeconds:0.#} seconds; retry shortly.", EmbeddingRetryAfter, ex);
        }
        catch (TransientException ex)
        {
            throw new EmbeddingUnavailableException("The embedding model is temporarily unavailable; retry shortly.", EmbeddingRetryAfter, ex);
        }
    }

    /// <summary>Routing without connectors at all (a host that registers none).</summary>
    private static SearchRouting Route(SearchRoute? forced) => forced switch
    {
        SearchRoute.Structured => new(SearchRoute.Semantic, "Structured search needs a connector and none is configured for this environment; answered from documents."),
        SearchRoute.Hybrid => new(SearchRoute.Hybrid, "Hybrid retrieval forced: full-text and vector candidates fused by calibrated relevance."),
        SearchRoute.Semantic => new(SearchRoute.Semantic, "Semantic retrieval forced."),
        _ => new(SearchRoute.Semantic, "No connectors are configured, so the query was answered from documents (full-text and vector retrieval)."),
    };
}
