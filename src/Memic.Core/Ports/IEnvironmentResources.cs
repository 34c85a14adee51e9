using Memic.Core.Tenancy;

namespace Memic.Core.Ports;

/// <summary>
/// A store that keeps data per environment (blobs, a search index) and so must create it when an
/// environment is provisioned and erase it when the environment is deleted. Both calls are idempotent:
/// a retry after a crash completes the work.
/// </summary>
public interface IEnvironmentResources
{
    Task ProvisionAsync(MemicEnvironment environment, CancellationToken cancellationToken);

    /// <summary>
    /// True when <see cref="ProvisionAsync"/> would take minutes rather than seconds (e.g. it must deploy a search
    /// service first), so the environment is finished in the background instead of inside the request.
    /// </summary>
    Task<bool> IsSlowToProvisionAsync(MemicEnvironment environment, CancellationToken cancellationToken) => Task.FromResult(false);

    Task DeleteAsync(Guid environmentId, CancellationToken cancellationToken);
}
