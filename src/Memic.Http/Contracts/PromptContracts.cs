using Memic.Core.Prompts;

namespace Memic.Http.Contracts;

/// <summary>The live prompt of CONTRACT §8, as the data plane serves it.</summary>
public sealed record LivePromptResponse(string Name, string Body, IReadOnlyList<string> Variables, int VersionNumber, DateTimeOffset UpdatedAt)
{
    public static LivePromptResponse From(PromptVersion v) => new(v.Name, v.Body, v.Variables, v.VersionNumber, v.UpdatedAt);
}

/// <summary>A version as the admin API returns it when created or made live (CONTRACT §10).</summary>
public sealed record PromptVersionResponse(string Name, int VersionNumber, bool IsLive, string Body, IReadOnlyList<string> Variables, DateTimeOffset CreatedAt)
{
    public static PromptVersionResponse From(PromptVersion v) => new(v.Name, v.VersionNumber, v.IsLive, v.Body, v.Variables, v.CreatedAt);
}

/// <summary>A version inside a listed prompt; the name is its prompt's.</summary>
public sealed record PromptVersionItem(int VersionNumber, bool IsLive, string Body, IReadOnlyList<string> Variables, DateTimeOffset CreatedAt)
{
    public static PromptVersionItem From(PromptVersion v) => new(v.VersionNumber, v.IsLive, v.Body, v.Variables, v.CreatedAt);
}

/// <summary>One prompt of the admin list: its name, the live version's number (or null) and every version, oldest first.</summary>
public sealed record PromptResponse(string Name, int? LiveVersion, IReadOnlyList<PromptVersionItem> Versions)
{
    public static PromptResponse From(Prompt p) => new(p.Name, p.LiveVersion, [.. p.Versions.Select(PromptVersionItem.From)]);
}
