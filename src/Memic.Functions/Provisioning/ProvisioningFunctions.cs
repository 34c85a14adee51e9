using Memic.Azure.Queues;
using Memic.Core.Errors;
using Memic.Core.Tenancy;
using Memic.Functions.Ingestion;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Memic.Functions.Provisioning;

/// <summary>
/// Finishes, outside any HTTP request, environments whose create answered 202 because the search pool must grow first
/// (an ARM deployment of 5–20 minutes, far beyond the front end's 230-second request limit; host.json allows 30).
/// </summary>
public sealed class ProvisioningFunctions(EnvironmentService environments, ILogger<ProvisioningFunctions> logger)
{
    [Function("CompleteEnvironmentProvisioning")]
    public async Task CompleteEnvironmentProvisioning(
        [QueueTrigger(AzureStorageProvisioningQueue.QueueName, Connection = IngestionFunctions.StorageConnection)] string message,
        CancellationToken cancellationToken)
    {
        if (ProvisioningMessage.TryParse(message) is not { } queued)
        {
            logger.LogWarning("Ignored a malformed provisioning message of {Length} characters", message?.Length ?? 0);
            return;
        }

        try
        {
            await environments.CompleteProvisioningAsync(queued.EnvironmentId, cancellationToken);
        }
        catch (MemicException ex) when (ex.Kind != ErrorKind.Transient)
        {
            // Recorded on the environment (failed); a retry of the message could not change that. Transient errors
            // propagate, so the queue delivers the message again.
            logger.LogWarning(ex, "Environment {EnvironmentId} failed to provision", queued.EnvironmentId);
        }
    }
}
