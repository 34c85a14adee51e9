using System.Collections.Concurrent;
using Memic.Core.Ingestion;
using Memic.Core.Ports;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Memic.Functions.Ingestion;

/// <summary>
/// Runs the ingestion pipeline for a file at most once at a time in this worker: the blob event and the queue message
/// of one upload can arrive together, and a second trigger waits for the first one's run. Across instances the
/// pipeline's claim (<see cref="FileIngestionPipeline.StartOrResumeAsync"/>) lets only one of them run the file, and an
/// ingestion slot of its environment (<see cref="IIngestionSlots"/>) keeps one environment from holding every worker.
/// </summary>
public sealed class IngestionRuns(FileIngestionPipeline pipeline, IIngestionSlots slots, IOptions<IngestionFallbackOptions> options, ILogger<IngestionRuns> logger)
{
    private readonly ConcurrentDictionary<Guid, Run> _running = new();

    /// <summary>
    /// Starts or resumes the file's pipeline if no other run owns it; when it is already running here, waits for that run
    /// instead. False when every ingestion slot of the environment is held: nothing ran, and the caller defers the file.
    /// </summary>
    public async Task<bool> RunAsync(Guid environmentId, Guid fileId, CancellationToken cancellationToken)
    {
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var run = new Run(cancellation);
        var current = _running.GetOrAdd(fileId, run);
        if (!ReferenceEquals(current, run))
        {
            logger.LogInformation("File {FileId} is already being ingested here; waiting for that run", fileId);
            await current.Completion.WaitAsync(cancellationToken);
            return true;
        }

        IngestionSlot? slot = null;
        try
        {
            slot = await slots.TryAcquireAsync(environmentId, fileId, cancellationToken);
            if (slot is null)
            {
                logger.LogInformation("Environment {EnvironmentId} runs as many ingestions as it may; file {FileId} is deferred", environmentId, fileId);
                return false;
            }

            var start = await pipeline.StartOrResumeAsync(environmentId, fileId, options.Value.StallThreshold, cancellation.Token);
            logger.LogInformation("Ingestion trigger for file {FileId}: {Start}", fileId, start);
            return true;
        }
        catch (OperationCanceledException) when (run.Cancelled && !cancellationToken.IsCancellationRequested)
        {
            // Stopped because the file is being deleted: nothing is left to retry.
            logger.LogInformation("Ingestion of file {FileId} stopped: the file is being deleted", fileId);
            return true;
        }
        finally
        {
            if (slot is not null)
            {
                await slots.ReleaseAsync(slot, CancellationToken.None);
            }

            _running.TryRemove(KeyValuePair.Create(fileId, run));
            run.Complete();
        }
    }

    /// <summary>Stops this worker's run of a file being deleted, if there is one.</summary>
    public void Cancel(Guid fileId)
    {
        if (_running.TryGetValue(fileId, out var run))
        {
            run.Cancel();
        }
    }

    /// <summary>True while the file's pipeline runs in this worker.</summary>
    public bool IsRunning(Guid fileId) => _running.ContainsKey(fileId);

    private sealed class Run(CancellationTokenSource cancellation)
    {
        private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Lock _lock = new();
        private bool _completed;

        /// <summary>Completes when the run ends, however it ends: a waiting trigger is not the one to report its failure.</summary>
        public Task Completion => _completion.Task;

        public bool Cancelled { get; private set; }

        public void Cancel()
        {
            lock (_lock)
            {
                if (!_completed)
                {
                    Cancelled = true;
                    cancellation.Cancel();
                }
            }
        }

        public void Complete()
        {
            // Under the lock, so Cancel never touches the token source after the run disposed it.
            lock (_lock)
            {
                _completed = true;
            }

            _completion.TrySetResult();
        }
    }
}
