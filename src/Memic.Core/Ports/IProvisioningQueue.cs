namespace Memic.Core.Ports;

/// <summary>
/// Hands an environment whose provisioning takes minutes (a new search service) to the background, so the create
/// request answers at once. Azure: a storage queue drained by a queue trigger; local: an in-process worker. Whatever
/// drains it calls <see cref="Tenancy.EnvironmentService.CompleteProvisioningAsync"/>, which is idempotent, so a message
/// delivered twice costs a lookup.
/// </summary>
public interface IProvisioningQueue
{
    ValueTask EnqueueAsync(Guid environmentId, CancellationToken cancellationToken);
}
