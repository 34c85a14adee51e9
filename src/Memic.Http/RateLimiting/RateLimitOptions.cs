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
