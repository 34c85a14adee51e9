namespace Memic.Http.RateLimiting;

/// <summary>Requests per key per minute for each category (CONTRACT §12); on by default.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "Memic:RateLimits";

    public bool Enabled { get; set; } = true;

    public int Search { get; set; } = 60;

    public int Chat { get; set; } = 30;

    public int Files { get; set; } = 120;

    public int Status { get; set; } = 300;

    public int Lists { get; set; } = 120;

    public int Prompts { get; set; } = 600;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Where limits are counted on the local server: <c>Embedded</c> (in this process) or <c>AzureTable</c> (shared with
    /// every instance through the catalog's Table Storage account). The Functions app always shares them.
    /// </summary>
    public string Provider { get; set; } = "Embedded";

    /// <summary>
    /// With shared limits, the share of a window's limit an instance takes from the shared counter at a time: larger
    /// means fewer round trips, smaller means less left unused on idle instances at the end of a window.
    /// </summary>
    public double SharedBatchFraction { get; set; } = 0.05;

    public int LimitFor(RateLimitCategory category) => category switch
    {
        RateLimitCategory.Search => Search,
        RateLimitCategory.Chat => Chat,
        RateLimitCategory.Files => Files,
        RateLimitCategory.Status => Status,
        RateLimitCategory.Lists => Lists,
        RateLimitCategory.Prompts => Prompts,
        _ => throw new ArgumentOutOfRangeException(nameof(category), category, null),
    };
}
