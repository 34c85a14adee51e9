namespace Memic.Embedded.Ingestion;

public sealed class IngestionWorkerOptions
{
    public const string Section = "Memic:Ingestion";

    /// <summary>Files processed at once. The embedder already uses every core, so more rarely helps.</summary>
    public int Concurrency { get; set; } = 2;
}
