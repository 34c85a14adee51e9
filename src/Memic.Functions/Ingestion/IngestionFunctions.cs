using Azure.Storage.Blobs;
using Memic.Azure.Queues;
using Memic.Core.Ports;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Memic.Functions.Ingestion;

/// <summary>
/// What starts ingestion in Azure: the Event Grid blob trigger on <c>uploads/&lt;environment_id&gt;/&lt;file_id&gt;</c> (the only
/// blob trigger Flex Consumption runs; infra/hooks/postdeploy.sh subscribes it by this name), whose complete blob confirms
/// the upload and whose invocation runs it. Two fallbacks feed the storage queue: confirm's delayed message, for a missed
/// event, and a periodic sweep of stalled files, for a worker killed mid-file. Whoever is first claims the file.
/// </summary>
public sealed class IngestionFunctions(
    UploadedBlobIngestion uploads,
    IngestionRuns runs,
    IIngestionQueue queue,
    StalledIngestionSweep sweep,
    ILogger<IngestionFunctions> logger)
{
    /// <summary>Every 10 minutes: cheap next to the stall threshold, which a file must exceed before it is resumed.</summary>
    public const string SweepSchedule = "0 */10 * * * *";

    /// <summary>The host's storage account (identity-based in Azure: <c>AzureWebJobsStorage__*ServiceUri</c>), which holds the uploads container.</summary>
    public const string StorageConnection = "AzureWebJobsStorage";

    public const string UploadsPath = "uploads/{environmentId}/{fileId}";

    [Function("IngestUploadedBlob")]
    public Task IngestUploadedBlob(
        [BlobTrigger(UploadsPath, Source = BlobTriggerSource.EventGrid, Connection = StorageConnection)] BlobClient blob,
        string environmentId,
        string fileId,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blob);
        if (!Guid.TryParse(environmentId, out var environment) || !Guid.TryParse(fileId, out var file))
        {
            // Not a blob Memic wrote; retrying would never make it one.
            logger.LogWarning("Ignored blob {BlobName} in {Container}: not <environment_id>/<file_id>", blob.Name, blob.BlobContainerName);
            return Task.CompletedTask;
        }

        return uploads.RunAsync(environment, file, cancellationToken);
    }

    [Function("IngestQueuedFile")]
    public async Task IngestQueuedFile(
        [QueueTrigger(AzureQueueOptions.DefaultQueueName, Connection = StorageConnection)] string message,
        CancellationToken cancellationToken)
    {
        if (IngestionMessage.TryParse(message) is not { } queued)
        {
            logger.LogWarning("Ignored a malformed ingestion message of {Length} characters", message?.Length ?? 0);
            return;
        }

        // A capped environment's file goes back on the queue, invisible for a while, rather than failing the message
        // (which would count towards its poison limit) or being dropped.
        if (!await runs.RunAsync(queued.EnvironmentId, queued.FileId, cancellationToken))
        {
            await queue.EnqueueAsync(queued.EnvironmentId, queued.FileId, cancellationToken);
        }
    }

    [Function("ResumeStalledIngestion")]
    public Task ResumeStalledIngestion([TimerTrigger(SweepSchedule)] TimerInfo timer, CancellationToken cancellationToken) =>
        sweep.RunAsync(cancellationToken);
}
