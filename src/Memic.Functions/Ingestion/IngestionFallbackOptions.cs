namespace Memic.Functions.Ingestion;

/// <summary>
/// The timing of the two fallbacks behind the blob event, which starts ingestion: confirm's queue message and the
/// periodic sweep of stalled files. Bound from the ingestion queue's section, next to the queue they write to.
/// </summary>
public sealed class IngestionFallbackOptions
{
    public const string Section = "Memic:IngestionQueue";

    /// <summary>How long confirm's queue message stays invisible, so the blob event (seconds behind the upload) normally starts the file first.</summary>
    public TimeSpan ConfirmDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a file may go without a status change before it counts as stalled and is resumed. Above host.json's
    /// functionTimeout (30 minutes): no live run is that quiet, since each sets a status when it starts.
    /// </summary>
    public TimeSpan StallThreshold { get; set; } = TimeSpan.FromMinutes(35);
}
