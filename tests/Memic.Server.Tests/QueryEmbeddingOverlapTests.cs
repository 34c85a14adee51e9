using Memic.Core.Embeddings;
using Memic.Core.Ports;
using Memic.Core.Search;
using Microsoft.Extensions.AI;

namespace Memic.Server.Tests;

/// <summary>
/// Search embeds its query while the index runs the full-text half of the query (the embedding's milliseconds are
/// hidden behind BM25), and a failed embedding is still the search's error.
/// </summary>
public sealed class QueryEmbeddingOverlapTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly Guid Environment = Guid.NewGuid();

    private readonly StandaloneSearch _searches = new();

    [Fact]
    public async Task The_index_query_starts_before_the_query_embedding_has_finished()
    {
        using var embedder = new BlockingEmbedder();
        var index = new RecordingIndex();
        var search = Search(index, embedder);

        var searching = Task.Run(() => search.SearchAsync(Environment, Request("red kite nests"), Ct), Ct);
        var vectorReadyAtStart = await index.Started.Task.WaitAsync(Patience, Ct);
        embedder.Answer();
        var outcome = await searching.WaitAsync(Patience, Ct);

        Assert.False(vectorReadyAtStart);
        Assert.Equal([1f, 0f, 0f, 0f], index.VectorUsed.ToArray());
        Assert.Equal("red kite nests", Assert.Single(outcome.Hits).Chunk.Content);
    }

    [Fact]
    public async Task A_failed_query_embedding_fails_the_search_even_when_the_index_did_not_need_the_vector()
    {
        using var embedder = new BlockingEmbedder();
        var index = new RecordingIndex { AnswersWithoutVector = true };
        var search = Search(index, embedder);

        var searching = Task.Run(() => search.SearchAsync(Environment, Request("red kite nests"), Ct), Ct);
        await index.Started.Task.WaitAsync(Patience, Ct);
        embedder.Fail(new Memic.Core.Errors.TransientException("model endpoint answered 503"));

        await Assert.ThrowsAsync<Memic.Core.Errors.EmbeddingUnavailableException>(() => searching.WaitAsync(Patience, Ct));
    }

    public void Dispose() => _searches.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static SearchRequest Request(string query) => new(query, 10, 0, IndexFilter.None, false, null);

    private SearchService Search(ISearchIndex index, BlockingEmbedder embedder) => _searches.Over(index, embedder);

    /// <summary>
    /// An embedder that, like the local MiniLM model, computes on the calling thread before it returns a task, and
    /// answers only when the test lets it.
    /// </summary>
    private sealed class BlockingEmbedder : IEmbeddingGenerator<string, Embedding<float>>, IEmbeddingModel
    {
        private readonly ManualResetEventSlim _gate = new();
        private Exception? _failure;

        public EmbeddingModelInfo Info { get; } = new("all-MiniLM-L6-v2", 4, 256);

        public void Answer() => _gate.Set();

        public void Fail(Exception failure)
        {
            _failure = failure;
            _gate.Set();
        }

        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
            IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            _gate.Wait(cancellationToken);
            if (_failure is not null)
            {
                throw _failure;
            }

            return Task.FromResult<GeneratedEmbeddings<Embedding<float>>>([.. values.Select(_ => new Embedding<float>(new float[] { 1, 0, 0, 0 }))]);
        }

        public int CountTokens(string text) => text.Length;

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose() => _gate.Dispose();
    }

    /// <summary>An index holding one passage, recording whether the vector was ready when the query reached it.</summary>
    private sealed class RecordingIndex : ISearchIndex
    {
        /// <summary>Set when a query arrives: whether its vector was computed by then.</summary>
        public TaskCompletionSource<bool> Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool AnswersWithoutVector { get; init; }

        public ReadOnlyMemory<float> VectorUsed { get; private set; }

        public async Task<IReadOnlyList<IndexCandidate>> QueryAsync(
            Guid environmentId, IndexQuery query, Task<ReadOnlyMemory<float>> vector, CancellationToken cancellationToken)
        {
            Started.SetResult(vector.IsCompleted);
            if (AnswersWithoutVector)
            {
                return [];
            }

            VectorUsed = await vector;
            return [new IndexCandidate(Passage(query.Text), 3.0, 1, 1.0, 1)];
        }

        public Task<IReadOnlyList<IndexCandidate>> QueryAsync(Guid environmentId, IndexQuery query, CancellationToken cancellationToken) =>
            throw new NotSupportedException("Search hands the index its vector while it is computed.");

        public Task CreateAsync(Guid environmentId, EmbeddingModelInfo model, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task DeleteAsync(Guid environmentId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task ReplaceFileChunksAsync(Guid environmentId, Guid fileId, IReadOnlyList<IndexedChunk> chunks, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task DeleteFileChunksAsync(Guid environmentId, Guid fileId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<int> CountFileChunksAsync(Guid environmentId, Guid fileId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<IndexedChunk>> GetFileChunksAsync(Guid environmentId, Guid fileId, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        private static IndexedChunk Passage(string content) => new(
            Guid.NewGuid(), Guid.NewGuid(), Guid.Empty, 0, content, 1, 1, 1, 3, [], "kites.md", "text/markdown", null, null, null,
            new Dictionary<string, string>(), new float[] { 1, 0, 0, 0 });
    }
}
