using Memic.Core.Ports;
using Memic.Core.Tenancy;

namespace Memic.Core.Ingestion;

/// <summary>
/// An environment's running and queued ingestions, stopped first when it is deleted (before its blobs and index go), so
/// they stop spending work on it. Runs in other instances are not reachable from here; they stop at the pipeline's own
/// check of the environment before and after writing its index.
/// </summary>
public sealed class EnvironmentIngestion(IFileCatalog files, IIngestionQueue queue) : IEnvironmentResources
{
    public Task ProvisionAsync(MemicEnvironment environment, CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task DeleteAsync(Guid environmentId, CancellationToken cancellationToken)
    {
        foreach (var (ofEnvironment, fileId) in await files.ListUnfinishedFilesAsync(cancellationToken))
        {
            if (ofEnvironment == environmentId)
            {
                queue.Cancel(fileId);
            }
        }
    }
}

/// <summary>Raised inside a pipeline run whose environment is being deleted: the run stops and writes nothing more.</summary>
internal sealed class EnvironmentDeletingException(Guid environmentId)
    : Exception($"Environment {environmentId} is being deleted.");
