namespace Memic.Azure.Queues;

/// <summary>The per-environment cap on concurrent ingestions in Azure, held as slots in Table Storage.</summary>
public sealed class IngestionSlotOptions
{
    public const string Section = "Memic:Ingestion";

    /// <summary>Files of one environment ingested at once across all instances; more wait (their messages are deferred).</summary>
    public int MaxConcurrentPerEnvironment { get; set; } = 4;

    /// <summary>
    /// How long a slot stays held without being released: above host.json's functionTimeout, so only a holder that was
    /// killed (and so never released it) loses its slot.
    /// </summary>
    public TimeSpan SlotLease { get; set; } = TimeSpan.FromMinutes(35);
}
