using Memic.Azure.Queues;
using Memic.Core.Ports;

namespace Memic.Functions.Ingestion;

/// <summary>
/// The Functions host's ingestion queue: files go onto the storage queue (which <see cref="IngestionFunctions"/>
/// drains), and a file being deleted stops its run if that run is in this worker.
/// </summary>
public sealed class FunctionsIngestionQueue(AzureStorageIngestionQueue queue, IngestionRuns runs) : IIngestionQueue
{
    public ValueTask EnqueueAsync(Guid environmentId, Guid fileId, CancellationToken cancellationToken) =>
        queue.EnqueueAsync(environmentId, fileId, cancellationToken);

    public void Cancel(Guid fileId) => runs.Cancel(fileId);
}
