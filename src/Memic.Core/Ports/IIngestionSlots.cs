namespace Memic.Core.Ports;

/// <summary>A held right to run one file's ingestion in its environment; give it back with <see cref="IIngestionSlots.ReleaseAsync"/>.</summary>
public sealed record IngestionSlot(Guid EnvironmentId, Guid FileId, int Index, string Version);

/// <summary>
/// Caps the ingestions an environment runs at once across every instance of a deployment, so one environment cannot hold
/// every worker. A slot whose holder died expires and is taken over.
/// </summary>
public interface IIngestionSlots
{
    /// <summary>A free (or expired, or this file's own) slot of the environment, or null when all are held.</summary>
    Task<IngestionSlot?> TryAcquireAsync(Guid environmentId, Guid fileId, CancellationToken cancellationToken);

    Task ReleaseAsync(IngestionSlot slot, CancellationToken cancellationToken);
}
