namespace Memic.Core.Embeddings;

/// <summary>Which model embeds chunks and queries (CONTRACT §13 <c>Memic__Embeddings__Provider</c>).</summary>
public enum EmbeddingProvider
{
    /// <summary>The in-process all-MiniLM-L6-v2 model (384-d); nothing leaves the machine.</summary>
    Embedded,

    /// <summary>Same as <see cref="Embedded"/>: "no remote provider", matching <c>Memic:Chat:Provider=None</c>.</summary>
    None = Embedded,

    /// <summary>OpenAI, or any server that speaks its embeddings API at <see cref="EmbeddingModelOptions.Endpoint"/>.</summary>
    OpenAI,

    /// <summary>An Azure OpenAI resource; <see cref="EmbeddingModelOptions.Model"/> is the deployment name.</summary>
    AzureOpenAI,
}

/// <summary>
/// The remote embedding model's settings, bound from <c>Memic:Embeddings</c>. They live in Core, without any SDK, so every
/// host validates them the same way. Changing <see cref="Model"/> or <see cref="Dimensions"/> makes existing indexes
/// incompatible: an index records the model and dimension it was built with.
/// </summary>
public sealed class EmbeddingModelOptions
{
    public const string Section = "Memic:Embeddings";

    /// <summary>text-embedding-3-small's native vector length.</summary>
    public const int DefaultDimensions = 1536;

    /// <summary>The input limit of OpenAI's embedding models, in cl100k tokens.</summary>
    public const int DefaultMaxInputTokens = 8191;

    public EmbeddingProvider Provider { get; set; } = EmbeddingProvider.Embedded;

    /// <summary>
    /// Largest chunk, in the model's tokens. Chunks are sized to the smaller of this and the model's window: MiniLM's
    /// 254-token window decides for the embedded model, while an 8k-token remote window would otherwise make passages
    /// too long to cite or rank well.
    /// </summary>
    public int MaxChunkTokens { get; set; } = 512;

    /// <summary>
    /// OpenAI: base URL of an OpenAI-compatible API including its version segment, e.g. <c>https://api.openai.com/v1</c>.
    /// Required even for OpenAI's own API, because every document is sent there. Azure OpenAI: the resource endpoint,
    /// e.g. <c>https://name.openai.azure.com/</c>.
    /// </summary>
    public string? Endpoint { get; set; }

    /// <summary>Optional for Azure OpenAI (the host's Azure identity is used without it) and for key-less compatible servers.</summary>
    public string? ApiKey { get; set; }

    /// <summary>The model name, e.g. <c>text-embedding-3-small</c>; for Azure OpenAI, the deployment name.</summary>
    public string? Model { get; set; }

    /// <summary>Length of every vector; text-embedding-3 models shorten their vectors to it on request.</summary>
    public int Dimensions { get; set; } = DefaultDimensions;

    /// <summary>The model's input window in cl100k tokens; chunks are sized below it.</summary>
    public int MaxInputTokens { get; set; } = DefaultMaxInputTokens;

    /// <summary>Most inputs sent in one request (OpenAI accepts up to 2048).</summary>
    public int BatchSize { get; set; } = 256;

    /// <summary>How long one request may take before it counts as a temporary failure.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>Retries of one request after 429, 5xx, a timeout or a network error before ingestion sees a temporary failure.</summary>
    public int MaxRetries { get; set; } = 4;

    /// <summary>
    /// Client-side budget of tokens sent per minute, shared by everything this process embeds; 0 means none (the
    /// endpoint's 429s are the only brake). For Azure OpenAI, the deployment's capacity × 1,000.
    /// </summary>
    public int TokensPerMinute { get; set; }

    /// <summary>
    /// Total time a search may spend embedding its query, retries and Retry-After waits included; when spent the search
    /// answers 503 <c>embedding_unavailable</c> with Retry-After. Well under the 230 seconds Azure's front end gives a
    /// request, which <see cref="Timeout"/> × (<see cref="MaxRetries"/> + 1) alone would exceed. Ingestion has no such budget.
    /// </summary>
    public TimeSpan QueryBudget { get; set; } = TimeSpan.FromSeconds(20);

    public bool IsRemote => Provider is EmbeddingProvider.OpenAI or EmbeddingProvider.AzureOpenAI;

    /// <summary>True when <see cref="Endpoint"/> is an absolute http(s) URL.</summary>
    public bool EndpointIsValid =>
        Uri.TryCreate(Endpoint, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}
