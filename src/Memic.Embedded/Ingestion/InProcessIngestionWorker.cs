using System.Collections.Concurrent;
using System.Threading.Channels;
using Memic.Core.Ingestion;
using Memic.Core.Ports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Memic.Embedded.Ingestion;

/// <summary>
/// The local ingestion queue: a channel drained by a bounded number of workers in this process. On start it resumes
/// every file left unfinished (by a crash or a kill); a file already queued or running is not queued twice.
/// </summary>
public sealed class InProcessIngestionWorker(
    IServiceProvider services,
    IFileCatalog files,
    IOptions<IngestionWorkerOptions> options,
    ILogger<InProcessIngestionWorker> logger) : BackgroundService, IIngestionQueue
{
    private readonly Channel<(Guid EnvironmentId, Guid FileId)> _queue = Channel.CreateUnbounded<(Guid, Guid)>();
    private readonly ConcurrentDictionary<Guid, CancellationTokenSource> _pending = new();

    public ValueTask EnqueueAsync(Guid environmentId, Guid fileId, CancellationToken cancellationToken)
    {
        var cancellation = new CancellationTokenSource();
        if (!_pending.TryAdd(fileId, cancellation))
        {
            cancellation.Dispose();
            return ValueTask.CompletedTask;
        }

        return _queue.Writer.WriteAsync((environmentId, fileId), cancellationToken);
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
        await foreach (var (environmentId, fileId) in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            if (!_pending.TryGetValue(fileId, out var cancellation))
            {
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
            }
        }
    }
}
