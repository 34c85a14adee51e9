namespace Memic.Embedded.Ingestion;

public sealed class IngestionWorkerOptions
{
    public const string Section = "Memic:Ingestion";

    /// <summary>
    /// Files processed at once. The embedder already uses every core, so more rarely helps. One environment runs at most
    /// half of them (at least one), so another environment's upload never waits behind a long queue.
    /// </summary>
    public int Concurrency { get; set; } = 2;
}
