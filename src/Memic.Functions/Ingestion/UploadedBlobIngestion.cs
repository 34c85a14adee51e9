using Memic.Core.Files;
using Memic.Core.Ports;

namespace Memic.Functions.Ingestion;

/// <summary>
/// The blob event of an upload: the complete blob confirms the file, and this invocation runs it. A redelivered event
/// finds the file claimed and, unless it stalled, leaves it to its run.
/// </summary>
/// <remarks>Apart from <see cref="IngestionRuns"/>, which the ingestion queue (and so <see cref="FileService"/>) depends on.</remarks>
public sealed class UploadedBlobIngestion(FileService fileService, IngestionRuns runs, IIngestionQueue queue)
{
    public async Task RunAsync(Guid environmentId, Guid fileId, CancellationToken cancellationToken)
    {
        if (await fileService.ConfirmUploadedBlobAsync(environmentId, fileId, cancellationToken)
            && !await runs.RunAsync(environmentId, fileId, cancellationToken))
        {
            // The environment is at its cap: the queue brings the file back later.
            await queue.EnqueueAsync(environmentId, fileId, cancellationToken);
        }
    }
}
