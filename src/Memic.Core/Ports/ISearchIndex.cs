using Memic.Core.Search;

namespace Memic.Core.Ports;

/// <summary>
/// One search index per environment (Azure AI Search <c>env-&lt;id&gt;</c>; embedded:
/// <c>&lt;data&gt;/environments/&lt;id&gt;/index.db</c>). Every call names the environment; nothing crosses between them.
/// </summary>
public interface ISearchIndex
{
    /// <summary>Creates the environment's index for a model. Idempotent; an index built with another model or dimension is an error.</summary>
    Task CreateAsync(Guid environmentId, EmbeddingModelInfo model, CancellationToken cancellationToken);

    /// <summary>
    /// True when <see cref="CreateAsync"/> would take minutes rather than seconds (e.g. the adapter must first deploy
    /// somewhere to put the index), so the environment is finished in the background. A hint: creating stays correct either way.
    /// </summary>
    Task<bool> IsSlowToCreateAsync(Guid environmentId, CancellationToken cancellationToken) => Task.FromResult(false);

    /// <summary>Deletes the environment's index and everything in it. Idempotent.</summary>
    Task DeleteAsync(Guid environmentId, CancellationToken cancellationToken);

    /// <summary>Replaces every chunk of a file with <paramref name="chunks"/> atomically, so a re-run never duplicates.</summary>
    Task ReplaceFileChunksAsync(Guid environmentId, Guid fileId, IReadOnlyList<IndexedChunk> chunks, CancellationToken cancellationToken);

    /// <summary>Removes every chunk of a file. Idempotent.</summary>
    Task DeleteFileChunksAsync(Guid environmentId, Guid fileId, CancellationToken cancellationToken);

    Task<int> CountFileChunksAsync(Guid environmentId, Guid fileId, CancellationToken cancellationToken);

    /// <summary>Chunks of a file in chunk order (for tests, re-indexing and citations).</summary>
    Task<IReadOnlyList<IndexedChunk>> GetFileChunksAsync(Guid environmentId, Guid fileId, CancellationToken cancellationToken);

    /// <summary>Hybrid retrieval: the union of the best full-text and vector candidates that pass the filter.</summary>
    Task<IReadOnlyList<IndexCandidate>> QueryAsync(Guid environmentId, IndexQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// The same hybrid retrieval for a query whose vector is still being computed (<paramref name="vector"/> stands for
    /// <see cref="IndexQuery.Vector"/>, which is not read): an adapter may start the full-text half meanwhile, so the
    /// query embedding costs no wall time of its own. A failed <paramref name="vector"/> fails the query with its
    /// exception. By default the vector is awaited first.
    /// </summary>
    async Task<IReadOnlyList<IndexCandidate>> QueryAsync(
        Guid environmentId, IndexQuery query, Task<ReadOnlyMemory<float>> vector, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(vector);
        return await QueryAsync(environmentId, query with { Vector = await vector }, cancellationToken);
    }
}
