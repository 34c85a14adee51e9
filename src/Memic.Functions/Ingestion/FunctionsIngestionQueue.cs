using Memic.Azure.Queues;
using Memic.Core.Ports;
using Microsoft.Extensions.Options;

namespace Memic.Functions.Ingestion;

/// <summary>
/// The Functions host's ingestion queue: files go onto the storage queue (which <see cref="IngestionFunctions"/>
/// drains) after <see cref="IngestionFallbackOptions.ConfirmDelay"/>, because the blob event normally starts the file
/// first and the message is then only a lookup; a file being deleted stops its run if that run is in this worker.
/// </summary>
public sealed class FunctionsIngestionQueue(AzureStorageIngestionQueue queue, IngestionRuns runs, IOptions<IngestionFallbackOptions> options) : IIngestionQueue
{
    public ValueTask EnqueueAsync(Guid environmentId, Guid fileId, CancellationToken cancellationToken) =>
        queue.EnqueueAsync(environmentId, fileId, options.Value.ConfirmDelay, cancellationToken);

    public void Cancel(Guid fileId) => runs.Cancel(fileId);
}
