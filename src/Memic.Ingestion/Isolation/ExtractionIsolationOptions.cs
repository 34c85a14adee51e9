namespace Memic.Ingestion.Isolation;

/// <summary>
/// The hard limits of the extraction worker process (<c>Memic:Extraction</c>): every untrusted file is parsed in a
/// child process that is killed past either, and the file fails with a reason naming the limit.
/// </summary>
public sealed class ExtractionIsolationOptions
{
    public const string Section = "Memic:Extraction";

    /// <summary>Most memory one worker process and its children (tesseract) may use, in MB.</summary>
    public int MaxMemoryMB { get; set; } = 1024;

    /// <summary>Longest one file may take to parse, start to finish, before its worker is killed.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(2);

    internal long MaxMemoryBytes => MaxMemoryMB * 1024L * 1024L;

    /// <summary>The customer's reason when a file was stopped at the memory limit.</summary>
    internal string MemoryLimitMessage => $"The file could not be parsed within the memory limit ({MaxMemoryMB} MB).";

    /// <summary>The customer's reason when a file was stopped at the time limit.</summary>
    internal string TimeLimitMessage => $"The file could not be parsed within the time limit ({Describe(Timeout)}).";

    private static string Describe(TimeSpan duration) =>
        duration.TotalMinutes >= 1 && duration.Seconds == 0 && duration.Milliseconds == 0
            ? $"{duration.TotalMinutes:0} minute{(duration.TotalMinutes == 1 ? "" : "s")}"
            : $"{duration.TotalSeconds:0.#} second{(duration.TotalSeconds == 1 ? "" : "s")}";
}
