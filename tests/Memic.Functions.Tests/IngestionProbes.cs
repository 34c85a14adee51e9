using Memic.Core.Files;
using Memic.Core.Ports;
using Microsoft.Extensions.AI;

namespace Memic.Functions.Tests;

/// <summary>Counts pipeline runs that reach embedding: each run of a small file embeds in exactly one call.</summary>
internal sealed class CountingEmbedder
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public IEmbeddingGenerator<string, Embedding<float>> Wrap(IEmbeddingGenerator<string, Embedding<float>> inner) => new Counting(inner, this);

    private sealed class Counting(IEmbeddingGenerator<string, Embedding<float>> inner, CountingEmbedder counter) : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
    {
        public override Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
            IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref counter._calls);
            return base.GenerateAsync(values, options, cancellationToken);
        }
    }
}

/// <summary>
/// Holds each claim of an uploaded file (the move out of <c>uploaded</c>) until <paramref name="parties"/> claims have
/// arrived, so racing instances have all read the file as unclaimed before any of them writes: the worst interleaving.
/// </summary>
internal sealed class ClaimRendezvous(int parties)
{
    private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _arrived;

    public int Arrived => Volatile.Read(ref _arrived);

    public async Task ArriveAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _arrived) >= parties)
        {
            _all.TrySetResult();
        }

        // Bounded, so a path that never claims fails the test's assertions instead of hanging it.
        try
        {
            await _all.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        }
        catch (TimeoutException)
        {
        }
    }

    public IFileCatalog Wrap(IFileCatalog inner) => new Catalog(inner, this);

    private sealed class Catalog(IFileCatalog inner, ClaimRendezvous rendezvous) : IFileCatalog
    {
        public Task<bool> TransitionAsync(Guid environmentId, Guid fileId, IReadOnlyCollection<FileStatus> from, FileStatus to, DateTimeOffset at, CancellationToken cancellationToken) =>
            inner.TransitionAsync(environmentId, fileId, from, to, at, cancellationToken);

        /// <summary>The claim: both claimants arrive here having read the same row, then both try.</summary>
        public async Task<bool> TransitionIfUnchangedAsync(
            Guid environmentId, Guid fileId, FileStatus from, DateTimeOffset lastUpdatedAt, FileStatus to, DateTimeOffset at, CancellationToken cancellationToken)
        {
            await rendezvous.ArriveAsync(cancellationToken);
            return await inner.TransitionIfUnchangedAsync(environmentId, fileId, from, lastUpdatedAt, to, at, cancellationToken);
        }

        public Task AddFileAsync(StoredFile file, CancellationToken cancellationToken) => inner.AddFileAsync(file, cancellationToken);

        public Task<StoredFile?> GetFileAsync(Guid environmentId, Guid fileId, CancellationToken cancellationToken) => inner.GetFileAsync(environmentId, fileId, cancellationToken);

        public Task<FilePage> ListFilesAsync(Guid environmentId, FileQuery query, CancellationToken cancellationToken) => inner.ListFilesAsync(environmentId, query, cancellationToken);

        public Task<bool> UpdateFileAsync(StoredFile file, CancellationToken cancellationToken) => inner.UpdateFileAsync(file, cancellationToken);

        public Task RemoveFileAsync(Guid environmentId, Guid fileId, CancellationToken cancellationToken) => inner.RemoveFileAsync(environmentId, fileId, cancellationToken);

        public Task<int?> RecordAttemptAsync(Guid environmentId, Guid fileId, CancellationToken cancellationToken) => inner.RecordAttemptAsync(environmentId, fileId, cancellationToken);

        public Task<IReadOnlyList<(Guid EnvironmentId, Guid FileId)>> ListUnfinishedFilesAsync(CancellationToken cancellationToken) => inner.ListUnfinishedFilesAsync(cancellationToken);

        public Task<int> CountFilesInFolderAsync(Guid environmentId, Guid folderId, CancellationToken cancellationToken) => inner.CountFilesInFolderAsync(environmentId, folderId, cancellationToken);

        public Task<IReadOnlyList<Guid>> ListFileIdsInFolderAsync(Guid environmentId, Guid folderId, CancellationToken cancellationToken) => inner.ListFileIdsInFolderAsync(environmentId, folderId, cancellationToken);
    }
}
