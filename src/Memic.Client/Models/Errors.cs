namespace Memic.Client;

/// <summary>One field error of a 422 response: where (<see cref="Loc"/>), what (<see cref="Msg"/>) and its kind (<see cref="Type"/>).</summary>
public sealed record MemicFieldError(IReadOnlyList<string> Loc, string Msg, string Type)
{
    /// <summary>The location joined with dots, e.g. <c>body.top_k</c>.</summary>
    public string Path => string.Join('.', Loc);
}
