namespace Memic.Core.Ingestion;

/// <summary>How often one file may be tried (<c>Memic:Ingestion</c>).</summary>
public sealed class IngestionOptions
{
    public const string Section = "Memic:Ingestion";

    /// <summary>
    /// Runs of one file that may be interrupted (the process crashed, was killed or timed out) before the file is failed
    /// instead of run again. See <see cref="FileIngestionPipeline"/> for what counts.
    /// </summary>
    public int MaxAttempts { get; set; } = 3;
}
