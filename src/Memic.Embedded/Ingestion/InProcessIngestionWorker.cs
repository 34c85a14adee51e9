using System.Collections.Concurrent;
using Memic.Core.Ingestion;
using Memic.Core.Ports;
using Memic.Core.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Memic.Embedded.Ingestion;

/// <summary>
/// The local ingestion queue: files drained by a bounded number of workers in this process, fairly across environments
/// (each runs at most half of the workers at once, see <see cref="FairIngestionQueue"/>). On start it resumes every file
/// left unfinished (by a crash or a kill); a file already queued or running is not queued twice.
/// </summary>
public sealed class InProcessIngestionWorker(
    IServiceProvider services,
    IFileCatalog files,
    IOptions<IngestionWorkerOptions> options,
    ILogger<InProcessIngestionWorker> logger) : BackgroundService, IIngestionQueue
{
    /// <summary>The queue's name on the queue-depth gauge.</summary>
    public const string QueueName = "in-process";

    private readonly FairIngestionQueue _queue = new(Math.Max(1, options.Value.Concurrency) / 2);
    private readonly ConcurrentDictionary<Guid, CancellationTokenSource> _pending = new();
    private IDisposable? _depthGauge;

    public ValueTask EnqueueAsync(Guid environmentId, Guid fileId, CancellationToken cancellationToken)
    {
        var cancellation = new CancellationTokenSource();
        if (!_pending.TryAdd(fileId, cancellation))
        {
            cancellation.Dispose();
            return ValueTask.CompletedTask;
        }

        _queue.Add(environmentId, fileId);
        return ValueTask.CompletedTask;
    }

    public void Cancel(Guid fileId)
    {
        if (_pending.TryGetValue(fileId, out var cancellation))
        {
            try
            {
                cancellation.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // Finished in the meantime.
            }
        }
    }

    /// <summary>True when nothing is queued or running (tests and shutdown use it).</summary>
    public bool IsIdle => _pending.IsEmpty;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _depthGauge = MemicTelemetry.ObserveQueueDepth(QueueName, () => _queue.Waiting);
        return base.StartAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _depthGauge?.Dispose();
        base.Dispose();
        _queue.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var unfinished = await files.ListUnfinishedFilesAsync(stoppingToken);
        if (unfinished.Count > 0)
        {
            logger.LogInformation("Resuming ingestion of {Count} unfinished files", unfinished.Count);
        }

        foreach (var (environmentId, fileId) in unfinished)
        {
            await EnqueueAsync(environmentId, fileId, stoppingToken);
        }

        var workers = Enumerable.Range(0, Math.Max(1, options.Value.Concurrency)).Select(_ => WorkAsync(stoppingToken));
        await Task.WhenAll(workers);
    }

    private async Task WorkAsync(CancellationToken stoppingToken)
    {
        var pipeline = services.GetRequiredService<FileIngestionPipeline>();
        while (!stoppingToken.IsCancellationRequested)
        {
            var (environmentId, fileId) = await _queue.TakeAsync(stoppingToken);
            if (!_pending.TryGetValue(fileId, out var cancellation))
            {
                _queue.Finished(environmentId);
                continue;
            }

            using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, cancellation.Token);
            try
            {
                await pipeline.RunAsync(environmentId, fileId, linked.Token);
            }
            catch (OperationCanceledException) when (linked.IsCancellationRequested)
            {
                logger.LogInformation("Ingestion of file {FileId} stopped", fileId);
            }
            catch (Exception ex)
            {
                // The pipeline records failures on the file; this is a bug or an outage, and must not stop the worker.
                logger.LogError(ex, "Ingestion of file {FileId} crashed", fileId);
            }
            finally
            {
                if (_pending.TryRemove(fileId, out var done))
                {
                    done.Dispose();
                }

                _queue.Finished(environmentId);
            }
        }
    }
}
