namespace Memic.Core.Chat;

/// <summary>Which language model answers chat questions (CONTRACT §13 <c>Memic__Chat__Provider</c>).</summary>
public enum ChatProvider
{
    /// <summary>No model: answers are extractive, quoted from the passages found.</summary>
    None,

    /// <summary>OpenAI, or any server that speaks its chat completions API at <see cref="ChatModelOptions.Endpoint"/>.</summary>
    OpenAI,

    /// <summary>An Azure OpenAI resource; <see cref="ChatModelOptions.Model"/> is the deployment name.</summary>
    AzureOpenAI,
}

/// <summary>
/// The chat model's settings, bound from <c>Memic:Chat</c>. They live in Core, without any SDK, so every host validates
/// them the same way; each host turns them into an <c>IChatClient</c> with its own adapters.
/// </summary>
public sealed class ChatModelOptions
{
    public const string Section = "Memic:Chat";

    public ChatProvider Provider { get; set; } = ChatProvider.None;

    /// <summary>
    /// OpenAI: base URL of an OpenAI-compatible API, including its version segment (e.g. <c>http://127.0.0.1:11434/v1</c>);
    /// omitted means OpenAI's own. Azure OpenAI: the resource endpoint, e.g. <c>https://name.openai.azure.com/</c>.
    /// </summary>
    public string? Endpoint { get; set; }

    /// <summary>Optional for Azure OpenAI (managed identity is used without it) and for a custom OpenAI-compatible endpoint.</summary>
    public string? ApiKey { get; set; }

    /// <summary>The model name; for Azure OpenAI, the deployment name.</summary>
    public string? Model { get; set; }

    /// <summary>How long one answer may take, retries included, before the extractive answer is given instead.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Retries of a failed model call (429/5xx/network); each one delays the answer, so keep it small.</summary>
    public int MaxRetries { get; set; } = 2;

    /// <summary>
    /// Longest content of one conversation message, in characters. Every message is sent to the model, so this bounds what
    /// one request can cost in tokens (32k characters is roughly 8k tokens).
    /// </summary>
    public int MaxMessageCharacters { get; set; } = 32_000;

    /// <summary>Longest conversation, all messages' content together, in characters.</summary>
    public int MaxConversationCharacters { get; set; } = 128_000;

    public bool HasEndpoint => !string.IsNullOrWhiteSpace(Endpoint);

    /// <summary>True when <see cref="Endpoint"/> is absent or an absolute http(s) URL.</summary>
    public bool EndpointIsValid =>
        !HasEndpoint || (Uri.TryCreate(Endpoint, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps));
}
