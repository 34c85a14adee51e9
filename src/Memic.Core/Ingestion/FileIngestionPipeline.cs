using Memic.Core.Documents;
using Memic.Core.Embeddings;
using Memic.Core.Errors;
using Memic.Core.Files;
using Memic.Core.Ports;
using Memic.Core.Search;
using Memic.Core.Telemetry;
using Memic.Core.Usage;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Memic.Core.Ingestion;

/// <summary>
/// Turns an uploaded file into indexed chunks through named, idempotent steps: convert → parse → chunk → embed
/// (embedding ends by replacing the file's chunks in the index, so a re-run never duplicates). Each step sets its
/// <c>*_started</c>/<c>*_complete</c>/<c>*_failed</c> status. A run resumes at the first step not yet complete;
/// earlier steps are recomputed silently (they are deterministic and cheap next to embedding), so statuses only
/// move forward. A failure fails this file alone.
/// <para>
/// Attempts: every run records one on the file before it does anything (<see cref="IFileCatalog.RecordAttemptAsync"/>), so a
/// run that takes the whole process down still counts. A run that ends, ready or failed, leaves the file finished, so only
/// runs that never ended (the process crashed or was killed, the function timed out, the host shut down mid-run) lead to
/// another attempt. Retries inside a run (transient embedding or storage errors) are the run's own and count nothing.
/// Once a file was started <see cref="IngestionOptions.MaxAttempts"/> times, the next pickup (a restarted worker, the stall
/// sweep, a redelivered message) fails it at the step it stopped in instead of running it again.
/// </para>
/// </summary>
public sealed class FileIngestionPipeline(
    IFileCatalog files,
    ITenancyCatalog environments,
    IBlobStore blobs,
    IDocumentReader reader,
    IEmbeddingGenerator<string, Embedding<float>> embedder,
    IEmbeddingModel model,
    ISearchIndex index,
    UsageMeter usage,
    IOptions<EmbeddingModelOptions> embeddingOptions,
    IOptions<IngestionOptions> ingestionOptions,
    TimeProvider time,
    ILogger<FileIngestionPipeline> logger,
    Quotas.QuotaService? quotas = null)
{
    private const int EmbeddingBatchSize = 64;
    private const int MaxTransientAttempts = 3;

    private sealed record Step(string Name, FileStatus Started, FileStatus Complete, FileStatus Failed);

    private static readonly Step Convert = new("conversion", FileStatus.ConversionStarted, FileStatus.ConversionComplete, FileStatus.ConversionFailed);
    private static readonly Step Parse = new("parsing", FileStatus.ParsingStarted, FileStatus.ParsingComplete, FileStatus.ParsingFailed);
    private static readonly Step ChunkStep = new("chunking", FileStatus.ChunkingStarted, FileStatus.ChunkingComplete, FileStatus.ChunkingFailed);
    private static readonly Step Embed = new("embedding", FileStatus.EmbeddingStarted, FileStatus.EmbeddingComplete, FileStatus.EmbeddingFailed);
    private static readonly Step[] Steps = [Convert, Parse, ChunkStep, Embed];

    /// <summary>Runs or resumes the file's pipeline. Returns without doing anything for a file that is gone, not uploaded or finished.</summary>
    /// <remarks>For a host with a single worker that already runs each file once (the local in-process worker); see <see cref="StartOrResumeAsync"/> otherwise.</remarks>
    public async Task RunAsync(Guid environmentId, Guid fileId, CancellationToken cancellationToken)
    {
        var file = await files.GetFileAsync(environmentId, fileId, cancellationToken);
        if (file is null || !file.Status.IsInPipeline())
        {
            return;
        }

        var run = new Run(file, FirstIncompleteStep(file.Status), claimed: false);
        if (await BeginAttemptAsync(run, cancellationToken))
        {
            await RunFromAsync(run, cancellationToken);
        }
    }

    /// <summary>
    /// Runs the file's pipeline only if this caller may claim it, for hosts where several instances can be handed the same
    /// file (the blob event, confirm's queue message and the stall sweep). A file waiting in <c>uploaded</c> is started; a
    /// file further on is left to the run that moved it there unless it is stalled (see <see cref="ClaimFor"/>). The claim
    /// is the catalog's compare-and-set, so of two instances racing on one file only one runs it.
    /// </summary>
    /// <remarks>
    /// A file stalled in a <c>*_started</c> status is claimed by setting that same status again, so the claim compares the
    /// whole row as read (status and <c>updated_at</c>): of two resumers that read the same stale row, one moves it.
    /// </remarks>
    public async Task<IngestionStart> StartOrResumeAsync(Guid environmentId, Guid fileId, TimeSpan stalledAfter, CancellationToken cancellationToken)
    {
        var file = await files.GetFileAsync(environmentId, fileId, cancellationToken);
        if (file is null || !file.Status.IsInPipeline())
        {
            return IngestionStart.NothingToDo;
        }

        var now = time.GetUtcNow();
        if (ClaimFor(file, now, stalledAfter) is not { } claim)
        {
            logger.LogInformation("File {FileId} is {Status} since {UpdatedAt}: another run owns it", fileId, file.Status, file.UpdatedAt);
            return IngestionStart.OwnedElsewhere;
        }

        if (!await files.TransitionIfUnchangedAsync(environmentId, fileId, claim.From, file.UpdatedAt, claim.To, now, cancellationToken))
        {
            logger.LogInformation("File {FileId} was claimed by another run first", fileId);
            return IngestionStart.OwnedElsewhere;
        }

        if (claim.Stalled)
        {
            logger.LogWarning("Resuming file {FileId} of environment {EnvironmentId}: it stalled in {Status} since {UpdatedAt}", fileId, environmentId, file.Status, file.UpdatedAt);
        }

        var run = new Run(file with { Status = claim.To, UpdatedAt = now }, claim.ResumeAt, claimed: true);
        if (!await BeginAttemptAsync(run, cancellationToken))
        {
            return IngestionStart.GaveUp;
        }

        await RunFromAsync(run, cancellationToken);
        return claim.Stalled ? IngestionStart.Resumed : IngestionStart.Started;
    }

    /// <summary>
    /// Counts this run as an attempt before it starts. False when the run must not go on: the file is gone, or earlier runs
    /// used up <see cref="IngestionOptions.MaxAttempts"/> without finishing, in which case the file is failed at the step
    /// they kept stopping in.
    /// </summary>
    private async Task<bool> BeginAttemptAsync(Run run, CancellationToken cancellationToken)
    {
        var file = run.File;
        if (await files.RecordAttemptAsync(file.EnvironmentId, file.Id, cancellationToken) is not { } attempts)
        {
            return false;
        }

        var maxAttempts = ingestionOptions.Value.MaxAttempts;
        if (attempts <= maxAttempts)
        {
            return true;
        }

        var step = Steps[run.ResumeAt];
        logger.LogWarning("File {FileId} of environment {EnvironmentId} was started {MaxAttempts} times without finishing {Step}; failing it", file.Id, file.EnvironmentId, maxAttempts, step.Name);
        var reason = $"Processing this file stopped {maxAttempts} times during {step.Name} without finishing (it crashed, ran out of memory or time), so it will not be tried again. Check the file, or split it, and upload it again.";
        await SetStatusAsync(run, step.Failed, reason, CancellationToken.None);
        MemicTelemetry.RecordFileFailed(file.EnvironmentId, step.Name);
        return false;
    }

    /// <summary>
    /// Who may run a file now. A file in <c>uploaded</c> has no run yet (a run's first act moves it on), so it may be
    /// started. A file further on belongs to the run that last moved it, unless its status has not changed for longer than
    /// <paramref name="stalledAfter"/>: set above the host's function timeout, no live run can be that quiet, so its
    /// worker was killed and the file is resumed at its first incomplete step. Null: leave the file alone.
    /// </summary>
    public static IngestionClaim? ClaimFor(StoredFile file, DateTimeOffset now, TimeSpan stalledAfter)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (!file.Status.IsInPipeline())
        {
            return null;
        }

        var stalled = IsStalled(file, now, stalledAfter);
        if (file.Status != FileStatus.Uploaded && !stalled)
        {
            return null;
        }

        var resumeAt = FirstIncompleteStep(file.Status);
        return new IngestionClaim(file.Status, Steps[resumeAt].Started, resumeAt, stalled && file.Status != FileStatus.Uploaded);
    }

    /// <summary>Unfinished and without a status change for longer than <paramref name="stalledAfter"/>.</summary>
    public static bool IsStalled(StoredFile file, DateTimeOffset now, TimeSpan stalledAfter)
    {
        ArgumentNullException.ThrowIfNull(file);
        return file.Status.IsInPipeline() && now - file.UpdatedAt > stalledAfter;
    }

    /// <summary>
    /// The unfinished files whose status has not changed for longer than <paramref name="stalledAfter"/>, across
    /// environments: what a periodic sweep hands back to the queue. Reads only unfinished files, which are few.
    /// </summary>
    public async Task<IReadOnlyList<StoredFile>> FindStalledFilesAsync(TimeSpan stalledAfter, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var stalled = new List<StoredFile>();
        foreach (var (environmentId, fileId) in await files.ListUnfinishedFilesAsync(cancellationToken))
        {
            if (await files.GetFileAsync(environmentId, fileId, cancellationToken) is { } file && IsStalled(file, now, stalledAfter))
            {
                stalled.Add(file);
            }
        }

        return stalled;
    }

    private async Task RunFromAsync(Run run, CancellationToken cancellationToken)
    {
        var file = run.File;
        using var activity = MemicTelemetry.StartIngestion(file.EnvironmentId, file.Id);
        logger.LogInformation("Ingesting file {FileId} of environment {EnvironmentId} from step {Step}", file.Id, file.EnvironmentId, Steps[run.ResumeAt].Name);

        foreach (var (step, position) in Steps.Select((s, i) => (s, i)))
        {
            var report = position >= run.ResumeAt;

            // A claimed run already set its first step's *_started status with the claim itself.
            var alreadyStarted = run.Claimed && position == run.ResumeAt;
            if (!await RunStepAsync(run, step, report, alreadyStarted, cancellationToken))
            {
                if (run.File.Status == step.Failed)
                {
                    MemicTelemetry.Fail(activity);
                }

                return;
            }
        }

        await FinishAsync(run, cancellationToken);
    }

    /// <summary>Runs one step in its own span, and counts its time and, when it failed the file, the failure.</summary>
    private async Task<bool> RunStepAsync(Run run, Step step, bool report, bool alreadyStarted, CancellationToken cancellationToken)
    {
        var environmentId = run.File.EnvironmentId;
        using var activity = MemicTelemetry.StartIngestionStep(step.Name, environmentId, run.File.Id);
        var started = time.GetTimestamp();
        var goOn = false;
        try
        {
            goOn = await RunStepCoreAsync(run, step, report, alreadyStarted, cancellationToken);
            return goOn;
        }
        finally
        {
            var failed = run.File.Status == step.Failed;
            if (failed)
            {
                MemicTelemetry.Fail(activity);
                MemicTelemetry.RecordFileFailed(environmentId, step.Name);
            }

            MemicTelemetry.RecordIngestionStep(step.Name, environmentId, time.GetElapsedTime(started), succeeded: goOn && !failed);
        }
    }

    private static int FirstIncompleteStep(FileStatus status) => status switch
    {
        FileStatus.Uploaded or FileStatus.ConversionStarted => 0,
        FileStatus.ConversionComplete or FileStatus.ParsingStarted => 1,
        FileStatus.ParsingComplete or FileStatus.ChunkingStarted => 2,
        _ => 3,
    };

    /// <summary>Runs one step; returns false when the run must stop (failed, or the file was deleted).</summary>
    private async Task<bool> RunStepCoreAsync(Run run, Step step, bool report, bool alreadyStarted, CancellationToken cancellationToken)
    {
        if (report && !alreadyStarted && !await SetStatusAsync(run, step.Started, null, cancellationToken))
        {
            return false;
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ExecuteAsync(run, step, cancellationToken);
                break;
            }
            catch (EnvironmentDeletingException)
            {
                logger.LogInformation("Environment {EnvironmentId} of file {FileId} is being deleted; stopping", run.File.EnvironmentId, run.File.Id);
                return false;
            }
            catch (DocumentRejectedException rejected)
            {
                logger.LogInformation("File {FileId} failed {Step}: {Reason}", run.File.Id, step.Name, rejected.Message);
                await SetStatusAsync(run, step.Failed, rejected.Message, CancellationToken.None);
                return false;
            }
            catch (TransientException transient) when (attempt < MaxTransientAttempts)
            {
                logger.LogWarning(transient, "Transient failure in {Step} of file {FileId}, attempt {Attempt}", step.Name, run.File.Id, attempt);
                await Task.Delay(TimeSpan.FromSeconds(Math.Pow(2, attempt)), time, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "File {FileId} failed {Step} unexpectedly", run.File.Id, step.Name);
                var reason = ex is TransientException
                    ? $"The {step.Name} step kept failing on a temporary error; upload the file again later."
                    : $"An internal error stopped the {step.Name} step.";
                await SetStatusAsync(run, step.Failed, reason, CancellationToken.None);
                return false;
            }
        }

        return !report || await SetStatusAsync(run, step.Complete, null, cancellationToken);
    }

    private Task ExecuteAsync(Run run, Step step, CancellationToken cancellationToken) => step switch
    {
        _ when step == Convert => ConvertAsync(run, cancellationToken),
        _ when step == Parse => ParseAsync(run, cancellationToken),
        _ when step == ChunkStep => ChunkAsync(run, cancellationToken),
        _ => EmbedAndIndexAsync(run, cancellationToken),
    };

    /// <summary>Checks the stored bytes are there, non-empty, of a type that can still be read here.</summary>
    private async Task ConvertAsync(Run run, CancellationToken cancellationToken)
    {
        var size = await blobs.GetSizeAsync(FileService.UploadsContainer, BlobNameOf(run.File), cancellationToken)
            ?? throw new DocumentRejectedException("The uploaded bytes are missing; upload the file again.");
        if (size == 0)
        {
            throw new DocumentRejectedException("The file is empty.");
        }

        var type = reader.CheckType(run.File.MimeType, run.File.Name);
        if (!type.IsSupported)
        {
            throw new DocumentRejectedException(type.Reason ?? "This file type cannot be read here.");
        }
    }

    private async Task ParseAsync(Run run, CancellationToken cancellationToken)
    {
        await using var content = await blobs.OpenReadAsync(FileService.UploadsContainer, BlobNameOf(run.File), cancellationToken)
            ?? throw new DocumentRejectedException("The uploaded bytes are missing; upload the file again.");
        run.Document = await reader.ParseAsync(content, run.File.MimeType, run.File.Name, cancellationToken);
    }

    private Task ChunkAsync(Run run, CancellationToken cancellationToken)
    {
        var maxTokens = Math.Min(model.Info.MaxInputTokens, embeddingOptions.Value.MaxChunkTokens);
        run.Chunks = reader.Chunk(run.Document!, model, maxTokens, cancellationToken);
        if (run.Chunks.Count == 0)
        {
            throw new DocumentRejectedException("The file holds no text to index.");
        }

        return Task.CompletedTask;
    }

    private async Task EmbedAndIndexAsync(Run run, CancellationToken cancellationToken)
    {
        var chunks = run.Chunks!;
        var vectors = new List<ReadOnlyMemory<float>>(chunks.Count);
        foreach (var batch in chunks.Chunk(EmbeddingBatchSize))
        {
            var embeddings = await embedder.GenerateAsync(batch.Select(c => c.Text), cancellationToken: cancellationToken);
            foreach (var embedding in embeddings)
            {
                if (embedding.Vector.Length != model.Info.Dimensions)
                {
                    throw new InvalidOperationException($"The embedder returned {embedding.Vector.Length} dimensions; {model.Info.ModelId} has {model.Info.Dimensions}.");
                }

                vectors.Add(embedding.Vector);
            }
        }

        var file = run.File;
        var metadata = MetadataTerms.ScalarValues(file.Metadata);
        var indexed = chunks.Select((chunk, i) => new IndexedChunk(
            ChunkId(file.Id, chunk.ChunkIndex), file.Id, file.FolderId, chunk.ChunkIndex, chunk.Text,
            chunk.PageNumber, chunk.StartPage, chunk.EndPage, chunk.TokenCount, chunk.HeadingPath,
            file.Name, file.MimeType, file.ReferenceId,
            metadata.GetValueOrDefault("category"), metadata.GetValueOrDefault("document_type"), metadata, vectors[i])).ToList();

        // A delete marks the environment deleting before it erases the index, so a write the check after it finds
        // live came before that erasure, and a write it finds deleting may have come after: that one erases the index again.
        await ThrowIfEnvironmentDeletingAsync(file.EnvironmentId, cancellationToken);
        await index.CreateAsync(file.EnvironmentId, model.Info, cancellationToken);
        await index.ReplaceFileChunksAsync(file.EnvironmentId, file.Id, indexed, cancellationToken);
        if (!await EnvironmentIsLiveAsync(file.EnvironmentId, CancellationToken.None))
        {
            await index.DeleteAsync(file.EnvironmentId, CancellationToken.None);
            throw new EnvironmentDeletingException(file.EnvironmentId);
        }
    }

    private async Task ThrowIfEnvironmentDeletingAsync(Guid environmentId, CancellationToken cancellationToken)
    {
        if (!await EnvironmentIsLiveAsync(environmentId, cancellationToken))
        {
            throw new EnvironmentDeletingException(environmentId);
        }
    }

    private async Task<bool> EnvironmentIsLiveAsync(Guid environmentId, CancellationToken cancellationToken) =>
        await environments.GetEnvironmentAsync(environmentId, cancellationToken) is { Status: not Tenancy.EnvironmentStatus.Deleting };

    private async Task FinishAsync(Run run, CancellationToken cancellationToken)
    {
        var chunks = run.Chunks!;
        var ready = run.File with
        {
            Status = FileStatus.Ready,
            ErrorMessage = null,
            TotalChunks = chunks.Count,
            TotalEmbeddings = chunks.Count,
            EmbeddingDimension = model.Info.Dimensions,
            PageCount = run.Document!.PageCount,
            UpdatedAt = time.GetUtcNow(),
        };

        if (!await files.UpdateFileAsync(ready, cancellationToken))
        {
            // Deleted while we indexed: take back what this run wrote.
            await index.DeleteFileChunksAsync(run.File.EnvironmentId, run.File.Id, CancellationToken.None);
            return;
        }

        var tokens = chunks.Sum(c => (long)c.TokenCount);
        usage.Record(run.File.EnvironmentId, new UsageCounters(
            Files: 1, Bytes: ready.Size, Pages: ready.PageCount ?? 0, Chunks: chunks.Count, EmbeddingTokens: tokens));
        if (quotas is not null)
        {
            await quotas.RecordEmbeddingTokensAsync(run.File.EnvironmentId, tokens, cancellationToken);
        }

        MemicTelemetry.RecordFileReady(ready.EnvironmentId, ready.Size, chunks.Count);
        logger.LogInformation("File {FileId} is ready: {Pages} pages, {Chunks} chunks", ready.Id, ready.PageCount, chunks.Count);
    }

    private async Task<bool> SetStatusAsync(Run run, FileStatus status, string? error, CancellationToken cancellationToken)
    {
        run.File = run.File with { Status = status, ErrorMessage = error, UpdatedAt = time.GetUtcNow() };
        var exists = await files.UpdateFileAsync(run.File, cancellationToken);
        if (!exists)
        {
            logger.LogInformation("File {FileId} was deleted during ingestion; stopping", run.File.Id);
        }

        return exists;
    }

    private static string BlobNameOf(StoredFile file) => FileService.BlobName(file.EnvironmentId, file.Id);

    /// <summary>A chunk's id is derived from its file and position (a name-based UUID), so re-indexing a file yields the same ids.</summary>
    private static Guid ChunkId(Guid fileId, int chunkIndex)
    {
        Span<byte> name = stackalloc byte[20];
        fileId.TryWriteBytes(name);
        BitConverter.TryWriteBytes(name[16..], chunkIndex);
        Span<byte> hash = stackalloc byte[32];
        System.Security.Cryptography.SHA256.HashData(name, hash);
        hash[7] = (byte)((hash[7] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash[..16]);
    }

    /// <summary>What one run carries from step to step.</summary>
    private sealed class Run(StoredFile file, int resumeAt, bool claimed)
    {
        public StoredFile File { get; set; } = file;

        public int ResumeAt { get; } = resumeAt;

        public bool Claimed { get; } = claimed;

        public ParsedDocument? Document { get; set; }

        public IReadOnlyList<DocumentChunk>? Chunks { get; set; }
    }
}

/// <summary>What <see cref="FileIngestionPipeline.StartOrResumeAsync"/> did with a file.</summary>
public enum IngestionStart
{
    /// <summary>Gone, still uploading, or finished.</summary>
    NothingToDo,

    /// <summary>Another run owns the file (it is mid-pipeline and not stalled), or claimed it first.</summary>
    OwnedElsewhere,

    /// <summary>Claimed in <c>uploaded</c> and run.</summary>
    Started,

    /// <summary>Claimed after stalling mid-pipeline and run from its first incomplete step.</summary>
    Resumed,

    /// <summary>Claimed, but its runs were started <see cref="IngestionOptions.MaxAttempts"/> times already: failed, not run.</summary>
    GaveUp,
}

/// <summary>
/// A claim on a file: the compare-and-set from <paramref name="From"/> to <paramref name="To"/> (the <c>*_started</c> status
/// of step <paramref name="ResumeAt"/>) that makes the claimant the file's one run.
/// </summary>
public sealed record IngestionClaim(FileStatus From, FileStatus To, int ResumeAt, bool Stalled);
