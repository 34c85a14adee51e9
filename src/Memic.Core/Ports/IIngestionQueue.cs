namespace Memic.Core.Ports;

/// <summary>Hands a file to ingestion. Azure: the Event Grid blob trigger (plus re-enqueue on confirm); local: an in-process worker.</summary>
public interface IIngestionQueue
{
    /// <summary>Makes sure the file will be processed. Enqueuing a file already queued or running is a no-op.</summary>
    ValueTask EnqueueAsync(Guid environmentId, Guid fileId, CancellationToken cancellationToken);

    /// <summary>Stops work on a file being deleted, if any is running here.</summary>
    void Cancel(Guid fileId);
}
