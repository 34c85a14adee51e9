using System.Collections.Concurrent;
using Azure;
using Azure.Core;
using Azure.Search.Documents;
using Azure.Search.Documents.Indexes;
using Azure.Search.Documents.Models;
using Memic.Azure.Search.Internals;
using Memic.Azure.Search.Pool;
using Memic.Core.Errors;
using Memic.Core.Ports;
using Memic.Core.Search;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Memic.Azure.Search;

/// <summary>
/// The search index in Azure AI Search: one index <c>env-&lt;environment id&gt;</c> per environment, on the search
/// service of the pool that <see cref="ISearchServiceLocator"/> placed the environment on.
/// </summary>
/// <remarks>
/// <para>
/// Model. The index records the embedding model it was built for in its vector profile's name and the dimension in
/// its vector field (<see cref="IndexDefinition"/>); creating it again with another model or dimension, or writing or
/// querying vectors of another dimension, is a <see cref="ConflictException"/>. The model read back is cached per
/// service and environment, so writes and queries do not fetch the definition each time.
/// </para>
/// <para>
/// Writes. Azure AI Search has no transactions. Replacing a file's chunks lists the ids it holds now, uploads the
/// new chunks (whole-document <c>upload</c>, so a re-run overwrites by chunk id and never duplicates), then deletes the
/// listed ids the new set does not reuse. A query meanwhile sees the old or the new chunks, never an empty file; a
/// failure part-way leaves both, and the ingestion step's retry converges. Requests stay within 1,000 documents and
/// 16 MB (<see cref="DocumentBatches"/>). Listing pages with <c>$skip</c>, which the service caps at 100,000.
/// </para>
/// <para>
/// Queries. One hybrid request: the words of the query text (<see cref="SearchText"/>) and the query vector
/// (k = candidates, pre-filtered), both restricted by the same OData filter (<see cref="ODataFilter"/>), top =
/// candidates. The vectors come back with the chunks, and each candidate's similarity is the exact cosine computed
/// here, so Core's calibrated score is the same as on the embedded index. A hybrid answer carries only the fused
/// (RRF) score, so BM25 scores and text ranks are reported only for text-only queries; vector ranks are the order
/// of the candidates by that cosine. With <see cref="AzureAISearchOptions.SemanticRanker"/>, a query with words also
/// asks the service's semantic ranker to re-rank the hybrid results (<see cref="IndexDefinition.SemanticConfiguration"/>)
/// and each candidate carries its <c>@search.rerankerScore</c>, which the search service maps to the 0–1 score.
/// </para>
/// <para>
/// Failures. 408, 429 and 5xx are retried with backoff honouring Retry-After (the app's Azure retry policy, within the
/// bounds of <see cref="AzureAISearchOptions"/>), then surface as <see cref="TransientException"/>. A missing index reads
/// as empty and makes deletes no-ops.
/// </para>
/// </remarks>
public sealed partial class AzureAISearchIndex : ISearchIndex
{
    private const int PageSize = 1_000;

    /// <summary>The service refuses a larger <c>$skip</c>.</summary>
    private const int MaxSkip = 100_000;

    private readonly ISearchServiceLocator _locator;
    private readonly SearchIndexClients _clients;
    private readonly AzureAISearchOptions _settings;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<(Uri Service, Guid Environment), IndexModel> _models = new();

    /// <param name="clients">Registered through Microsoft.Extensions.Azure; tests pass clients on a fake transport.</param>
    internal AzureAISearchIndex(ISearchServiceLocator locator, SearchIndexClients clients, AzureAISearchOptions settings, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(locator);
        ArgumentNullException.ThrowIfNull(clients);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(logger);
        _locator = locator;
        _clients = clients;
        _settings = settings;
        _logger = logger;
    }

    public async Task CreateAsync(Guid environmentId, EmbeddingModelInfo model, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(model.ModelId);
        ArgumentOutOfRangeException.ThrowIfLessThan(model.Dimensions, 1);
        var wanted = IndexModel.Of(model);
        var name = IndexDefinition.IndexName(environmentId);

        var service = await _locator.PlaceAsync(environmentId, cancellationToken);
        var indexes = IndexClient(service);

        // A re-run finds the index and spends none of the service's create-index budget.
        if (await ReadModelAsync(indexes, name, cancellationToken) is { } existing)
        {
            EnsureSameModel(environmentId, existing, model);
            _models[(service.Endpoint, environmentId)] = existing;
            return;
        }

        await _locator.WaitToCreateIndexAsync(service, cancellationToken);
        try
        {
            await indexes.CreateIndexAsync(IndexDefinition.Create(environmentId, wanted, _settings.SemanticRanker), cancellationToken);
            LogIndexCreated(_logger, environmentId, service.Name, model.ModelId, model.Dimensions);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // Another instance created it between our read and our create; what it created must fit too.
            var raced = await ReadModelAsync(indexes, name, cancellationToken)
                ?? throw new TransientException($"The search index of environment {environmentId} is being created and deleted concurrently; retry later.", ex);
            EnsureSameModel(environmentId, raced, model);
        }

        _models[(service.Endpoint, environmentId)] = wanted;
    }

    /// <summary>Slow exactly when the environment has no service yet and the pool must deploy one first.</summary>
    public Task<bool> IsSlowToCreateAsync(Guid environmentId, CancellationToken cancellationToken) =>
        _locator.NeedsGrowthAsync(environmentId, cancellationToken);

    public async Task DeleteAsync(Guid environmentId, CancellationToken cancellationToken)
    {
        if (await _locator.FindAsync(environmentId, cancellationToken) is { } service)
        {
            try
            {
                await IndexClient(service).DeleteIndexAsync(IndexDefinition.IndexName(environmentId), cancellationToken);
                LogIndexDeleted(_logger, environmentId, service.Name);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // Already gone: deleting is idempotent.
            }

            _models.TryRemove((service.Endpoint, environmentId), out _);
        }

        await _locator.ReleaseAsync(environmentId, cancellationToken);
    }

    public async Task ReplaceFileChunksAsync(Guid environmentId, Guid fileId, IReadOnlyList<IndexedChunk> chunks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var chunk in chunks)
        {
            ArgumentNullException.ThrowIfNull(chunk, nameof(chunks));
            if (chunk.FileId != fileId)
            {
                throw new ArgumentException($"Chunk {chunk.ChunkId} belongs to file {chunk.FileId}, not {fileId}.", nameof(chunks));
            }

            if (!ids.Add(chunk.ChunkId.ToString("D")))
            {
                throw new ConflictException(ErrorCodes.Conflict, $"Chunk id {chunk.ChunkId} repeats within file {fileId} of environment {environmentId}.");
            }
        }

        var target = await TargetAsync(environmentId, cancellationToken) ?? throw NoIndex(environmentId);
        foreach (var chunk in chunks)
        {
            if (chunk.Vector.Length != target.Model.Dimensions)
            {
                throw DimensionConflict(environmentId, target.Model, chunk.Vector.Length);
            }
        }

        try
        {
            var previous = await ListAsync(target.Client, fileId, [ChunkFields.Id], cancellationToken);
            var documents = chunks.Select(ChunkDocument.From).ToList();
            foreach (var batch in DocumentBatches.Split(documents, DocumentBatches.JsonSize))
            {
                var response = await target.Client.IndexDocumentsAsync(
                    IndexDocumentsBatch.Upload(batch), new IndexDocumentsOptions { ThrowOnAnyError = false }, cancellationToken);
                ThrowIfAnyFailed(environmentId, response.Value);
            }

            var stale = previous.Select(d => d.Id).Where(id => !ids.Contains(id)).ToList();
            await DeleteDocumentsAsync(environmentId, target.Client, stale, cancellationToken);
            LogFileReplaced(_logger, environmentId, fileId, chunks.Count, stale.Count);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            Forget(target.Service, environmentId);
            throw NoIndex(environmentId);
        }
    }

    /// <summary>Also a no-op when the environment has no index: a file can be deleted before it was ever indexed.</summary>
    public async Task DeleteFileChunksAsync(Guid environmentId, Guid fileId, CancellationToken cancellationToken)
    {
        if (await TargetAsync(environmentId, cancellationToken) is not { } target)
        {
            return;
        }

        try
        {
            var existing = await ListAsync(target.Client, fileId, [ChunkFields.Id], cancellationToken);
            await DeleteDocumentsAsync(environmentId, target.Client, [.. existing.Select(d => d.Id)], cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            Forget(target.Service, environmentId);
        }
    }

    public async Task<int> CountFileChunksAsync(Guid environmentId, Guid fileId, CancellationToken cancellationToken)
    {
        if (await TargetAsync(environmentId, cancellationToken) is not { } target)
        {
            return 0;
        }

        try
        {
            var options = new SearchOptions { Filter = ODataFilter.OfFile(fileId), Size = 0, IncludeTotalCount = true };
            var response = await target.Client.SearchAsync<ChunkDocument>(null, options, cancellationToken);
            return (int)(response.Value.TotalCount ?? 0);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            Forget(target.Service, environmentId);
            return 0;
        }
    }

    public async Task<IReadOnlyList<IndexedChunk>> GetFileChunksAsync(Guid environmentId, Guid fileId, CancellationToken cancellationToken)
    {
        if (await TargetAsync(environmentId, cancellationToken) is not { } target)
        {
            return [];
        }

        try
        {
            return [.. (await ListAsync(target.Client, fileId, ChunkFields.All, cancellationToken)).Select(d => d.ToChunk())];
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            Forget(target.Service, environmentId);
            return [];
        }
    }

    public async Task<IReadOnlyList<IndexCandidate>> QueryAsync(Guid environmentId, IndexQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Candidates, 1);
        if (await TargetAsync(environmentId, cancellationToken) is not { } target)
        {
            return [];
        }

        if (!query.Vector.IsEmpty && query.Vector.Length != target.Model.Dimensions)
        {
            throw DimensionConflict(environmentId, target.Model, query.Vector.Length);
        }

        var text = SearchText.Build(query.Text);
        var withVector = !query.Vector.IsEmpty;
        if (text is null && !withVector)
        {
            return [];
        }

        var options = new SearchOptions
        {
            Filter = ODataFilter.Build(query.Filter),
            Size = query.Candidates,
            SearchMode = SearchMode.Any,
            QueryType = SearchQueryType.Simple,
        };
        foreach (var field in ChunkFields.All)
        {
            options.Select.Add(field);
        }

        if (withVector)
        {
            options.VectorSearch = new VectorSearchOptions
            {
                Queries = { new VectorizedQuery(query.Vector) { KNearestNeighborsCount = query.Candidates, Fields = { ChunkFields.Vector } } },
                // Filter first, then take the nearest: a selective filter must still yield k candidates.
                FilterMode = VectorFilterMode.PreFilter,
            };
        }

        // Semantic re-ranking needs words; an index created before the ranker was enabled lacks the configuration (400),
        // and is then asked again without it, ranked by the app's own second stage.
        var semantic = _settings.SemanticRanker && text is not null;
        while (true)
        {
            if (semantic)
            {
                options.QueryType = SearchQueryType.Semantic;
                options.SemanticSearch = new SemanticSearchOptions
                {
                    SemanticConfigurationName = IndexDefinition.SemanticConfiguration,
                    // Over quota or too slow: the service answers the hybrid results un-reranked rather than failing.
                    ErrorMode = SemanticErrorMode.Partial,
                };
            }
            else
            {
                options.QueryType = SearchQueryType.Simple;
                options.SemanticSearch = null;
            }

            var found = new List<(ChunkDocument Document, double? Score, double? RerankerScore)>();
            try
            {
                var response = await target.Client.SearchAsync<ChunkDocument>(text, options, cancellationToken);
                await foreach (var result in response.Value.GetResultsAsync().WithCancellation(cancellationToken))
                {
                    found.Add((result.Document, result.Score, result.SemanticSearch?.RerankerScore));
                }
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                Forget(target.Service, environmentId);
                return [];
            }
            catch (RequestFailedException ex) when (ex.Status == 400 && semantic)
            {
                LogSemanticRefused(_logger, environmentId, ex.ErrorCode);
                semantic = false;
                continue;
            }

            return Candidates(query.Vector, found, textOnly: !withVector);
        }
    }

    internal static IReadOnlyList<IndexCandidate> Candidates(
        ReadOnlyMemory<float> queryVector, IReadOnlyList<(ChunkDocument Document, double? Score, double? RerankerScore)> found, bool textOnly)
    {
        var chunks = found
            .GroupBy(f => f.Document.Id, StringComparer.Ordinal)
            .Select((g, position) => (Chunk: g.First().Document.ToChunk(), g.First().Score, g.First().RerankerScore, Position: position))
            .Select(f => (f.Chunk, f.Score, f.RerankerScore, f.Position, Similarity: Cosine(queryVector.Span, f.Chunk.Vector.Span)))
            .ToList();
        var vectorRanks = textOnly
            ? new Dictionary<Guid, int>()
            : chunks.OrderByDescending(c => c.Similarity).ThenBy(c => c.Chunk.ChunkId).Select((c, i) => (c.Chunk.ChunkId, Rank: i + 1)).ToDictionary(x => x.ChunkId, x => x.Rank);

        return
        [
            .. chunks
                .Select(c => new IndexCandidate(
                    c.Chunk,
                    textOnly ? c.Score : null,
                    textOnly ? c.Position + 1 : null,
                    c.Similarity,
                    vectorRanks.TryGetValue(c.Chunk.ChunkId, out var rank) ? rank : null,
                    c.RerankerScore))
                .OrderByDescending(c => c.VectorSimilarity)
                .ThenByDescending(c => c.TextScore ?? double.MinValue)
                .ThenBy(c => c.Chunk.ChunkId),
        ];
    }

    /// <summary>Exact cosine in double precision; 0 when either side is empty or of another length, or has no direction.</summary>
    internal static double Cosine(ReadOnlySpan<float> query, ReadOnlySpan<float> chunk)
    {
        if (query.IsEmpty || query.Length != chunk.Length)
        {
            return 0;
        }

        double dot = 0, queryNorm = 0, chunkNorm = 0;
        for (var i = 0; i < query.Length; i++)
        {
            dot += (double)query[i] * chunk[i];
            queryNorm += (double)query[i] * query[i];
            chunkNorm += (double)chunk[i] * chunk[i];
        }

        var cosine = dot / Math.Sqrt(queryNorm * chunkNorm);
        return double.IsFinite(cosine) ? Math.Clamp(cosine, -1.0, 1.0) : 0;
    }

    private SearchIndexClient IndexClient(SearchServiceLocation service) =>
        _clients.For(service.Endpoint);

    /// <summary>The environment's index and its model, or null when the environment was never placed or has no index.</summary>
    private async Task<Target?> TargetAsync(Guid environmentId, CancellationToken cancellationToken)
    {
        if (await _locator.FindAsync(environmentId, cancellationToken) is not { } service)
        {
            return null;
        }

        var indexes = IndexClient(service);
        var name = IndexDefinition.IndexName(environmentId);
        if (!_models.TryGetValue((service.Endpoint, environmentId), out var model))
        {
            model = await ReadModelAsync(indexes, name, cancellationToken);
            if (model is null)
            {
                return null;
            }

            _models[(service.Endpoint, environmentId)] = model;
        }

        return new Target(service, indexes.GetSearchClient(name), model);
    }

    private static async Task<IndexModel?> ReadModelAsync(SearchIndexClient indexes, string name, CancellationToken cancellationToken)
    {
        try
        {
            var index = (await indexes.GetIndexAsync(name, cancellationToken)).Value;
            return IndexDefinition.ModelOf(index)
                ?? throw new ConflictException(ErrorCodes.Conflict, $"Search index {name} exists but was not created by Memic (it has no {ChunkFields.Vector} vector field).");
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    /// <summary>Every document of a file in chunk order, paged.</summary>
    private static async Task<List<ChunkDocument>> ListAsync(SearchClient client, Guid fileId, IEnumerable<string> fields, CancellationToken cancellationToken)
    {
        var all = new List<ChunkDocument>();
        for (var skip = 0; ; skip += PageSize)
        {
            if (skip > MaxSkip)
            {
                throw new InvalidOperationException($"File {fileId} has more than {MaxSkip} chunks, more than one file can list from Azure AI Search.");
            }

            var options = new SearchOptions { Filter = ODataFilter.OfFile(fileId), Size = PageSize, Skip = skip };
            options.OrderBy.Add($"{ChunkFields.ChunkIndex} asc");
            options.OrderBy.Add($"{ChunkFields.Id} asc");
            foreach (var field in fields)
            {
                options.Select.Add(field);
            }

            var response = await client.SearchAsync<ChunkDocument>(null, options, cancellationToken);
            var count = 0;
            await foreach (var page in response.Value.GetResultsAsync().AsPages().WithCancellation(cancellationToken))
            {
                foreach (var result in page.Values)
                {
                    all.Add(result.Document);
                    count++;
                }

                // One page per request: the next one is asked for with $skip.
                break;
            }

            if (count < PageSize)
            {
                return all;
            }
        }
    }

    private static async Task DeleteDocumentsAsync(Guid environmentId, SearchClient client, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        foreach (var batch in DocumentBatches.Split(ids, id => id.Length + 16))
        {
            var response = await client.DeleteDocumentsAsync(ChunkFields.Id, batch, new IndexDocumentsOptions { ThrowOnAnyError = false }, cancellationToken);
            ThrowIfAnyFailed(environmentId, response.Value);
        }
    }

    /// <summary>
    /// A 207 answer lists a status per document. Throttled or busy ones (409, 422, 429, 503 per Azure's guidance) are
    /// transient: the whole replace is safe to run again. Anything else is a fault of the request itself.
    /// Only statuses and keys are reported; the service's messages may quote document text.
    /// </summary>
    private static void ThrowIfAnyFailed(Guid environmentId, IndexDocumentsResult result)
    {
        var failed = result.Results.Where(r => !r.Succeeded).ToList();
        if (failed.Count == 0)
        {
            return;
        }

        var statuses = string.Join(", ", failed.GroupBy(r => r.Status).Select(g => $"{g.Count()} × {g.Key}"));
        if (failed.All(r => r.Status is 409 or 422 or 429 or >= 500))
        {
            throw new TransientException($"Azure AI Search did not index {failed.Count} of {result.Results.Count} chunks of environment {environmentId} ({statuses}); retry later.");
        }

        throw new InvalidOperationException(
            $"Azure AI Search refused {failed.Count} of {result.Results.Count} chunks of environment {environmentId} ({statuses}; first key {failed[0].Key}).");
    }

    private void Forget(SearchServiceLocation service, Guid environmentId) => _models.TryRemove((service.Endpoint, environmentId), out _);

    private static void EnsureSameModel(Guid environmentId, IndexModel stored, EmbeddingModelInfo wanted)
    {
        if (!string.Equals(stored.Fingerprint, IndexModel.Of(wanted).Fingerprint, StringComparison.Ordinal) || stored.Dimensions != wanted.Dimensions)
        {
            throw new ConflictException(
                ErrorCodes.Conflict,
                $"The search index of environment {environmentId} was built with {stored.Describe()}, " +
                $"not {wanted.ModelId} ({wanted.Dimensions} dimensions). Re-index the environment to change models.");
        }
    }

    private static ConflictException DimensionConflict(Guid environmentId, IndexModel model, int dimensions) =>
        new(ErrorCodes.Conflict, $"A vector of {dimensions} dimensions does not fit the search index of environment {environmentId}, built with {model.Describe()}.");

    private static InvalidOperationException NoIndex(Guid environmentId) =>
        new($"The search index of environment {environmentId} does not exist; create it (CreateAsync) before writing to it.");

    private sealed record Target(SearchServiceLocation Service, SearchClient Client, IndexModel Model);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created search index of environment {EnvironmentId} on search service {SearchService} for {ModelId} ({Dimensions} dimensions)")]
    private static partial void LogIndexCreated(ILogger logger, Guid environmentId, string searchService, string modelId, int dimensions);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The search index of environment {EnvironmentId} refused semantic ranking ({ErrorCode}); answered without it. Indexes created before Memic:Search:SemanticRanker was enabled lack its configuration")]
    private static partial void LogSemanticRefused(ILogger logger, Guid environmentId, string? errorCode);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted search index of environment {EnvironmentId} on search service {SearchService}")]
    private static partial void LogIndexDeleted(ILogger logger, Guid environmentId, string searchService);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Indexed {ChunkCount} chunks of file {FileId} in environment {EnvironmentId}, removing {StaleCount} stale ones")]
    private static partial void LogFileReplaced(ILogger logger, Guid environmentId, Guid fileId, int chunkCount, int staleCount);
}
