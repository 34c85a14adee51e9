namespace Memic.Client;

/// <summary>The live version of a prompt (<c>GET /prompts/{name}</c>).</summary>
public sealed record LivePrompt(string Name, string Body, IReadOnlyList<string> Variables, int VersionNumber, DateTimeOffset UpdatedAt);

/// <summary>A prompt version as the admin API returns it when created.</summary>
public sealed record PromptVersion(string Name, int VersionNumber, bool IsLive, string Body, IReadOnlyList<string> Variables, DateTimeOffset CreatedAt);

/// <summary>A version inside a listed prompt.</summary>
public sealed record PromptVersionItem(int VersionNumber, bool IsLive, string Body, IReadOnlyList<string> Variables, DateTimeOffset CreatedAt);

/// <summary>A prompt with every version, oldest first, and which one is live.</summary>
public sealed record MemicPrompt(string Name, int? LiveVersion, IReadOnlyList<PromptVersionItem> Versions);

internal sealed record CreatePromptBody(string Name, string Body, bool? MakeLive);

internal sealed record SetLiveBody(int VersionNumber);
