using Memic.Core.Ingestion;
using Memic.Core.Ports;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Memic.Functions.Ingestion;

/// <summary>
/// Hands files whose run died (a worker killed mid-file) back to the ingestion queue, as the local worker resumes them on
/// restart. Idempotent: the queue trigger resumes a file only while it is still stalled, so a file queued twice runs once.
/// </summary>
public sealed class StalledIngestionSweep(
    FileIngestionPipeline pipeline,
    IIngestionQueue queue,
    IOptions<IngestionFallbackOptions> options,
    ILogger<StalledIngestionSweep> logger)
{
    /// <summary>Queues every stalled file; returns how many.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var stalled = await pipeline.FindStalledFilesAsync(options.Value.StallThreshold, cancellationToken);
        foreach (var file in stalled)
        {
            logger.LogWarning("File {FileId} of environment {EnvironmentId} stalled in {Status} since {UpdatedAt}; queued to resume", file.Id, file.EnvironmentId, file.Status, file.UpdatedAt);
            await queue.EnqueueAsync(file.EnvironmentId, file.Id, cancellationToken);
        }

        return stalled.Count;
    }
}
