namespace Memic.Core.Prompts;

/// <summary>
/// One version of a named prompt of an environment. Versions are immutable except for <see cref="IsLive"/>;
/// <see cref="UpdatedAt"/> is when the version was created or last made live or retired, so for the live
/// version it says since when clients have been reading it.
/// </summary>
public sealed record PromptVersion(
    Guid EnvironmentId,
    string Name,
    int VersionNumber,
    string Body,
    bool IsLive,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public IReadOnlyList<string> Variables => PromptTemplate.Variables(Body);
}

/// <summary>A prompt name with all its versions, oldest first, and the live one's number if any.</summary>
public sealed record Prompt(string Name, IReadOnlyList<PromptVersion> Versions)
{
    public int? LiveVersion => Versions.FirstOrDefault(v => v.IsLive)?.VersionNumber;
}
