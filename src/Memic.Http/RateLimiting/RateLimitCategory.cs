namespace Memic.Http.RateLimiting;

/// <summary>The per-key budgets of CONTRACT §12.</summary>
public enum RateLimitCategory
{
    Search,
    Chat,
    Files,
    Status,
    Lists,
    Prompts,
}
