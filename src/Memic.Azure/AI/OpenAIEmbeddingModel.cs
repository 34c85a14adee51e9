using System.ClientModel;
using System.ClientModel.Primitives;
using System.Numerics.Tensors;
using Memic.Azure.Internals;
using Memic.Core.Embeddings;
using Memic.Core.Errors;
using Memic.Core.Ports;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.ML.Tokenizers;

namespace Memic.Azure.AI;

/// <summary>
/// An embedding model reached through OpenAI's embeddings API: OpenAI itself, an OpenAI-compatible server or an Azure
/// OpenAI deployment (e.g. text-embedding-3-small). Serves both the M.E.AI generator and the <see cref="IEmbeddingModel"/>
/// port, so the chunker counts tokens the way the model does.
/// </summary>
/// <remarks>
/// <para>
/// Inputs are sent in requests of at most <see cref="EmbeddingModelOptions.BatchSize"/>. Every vector must have the
/// configured length (an index built for one length cannot hold another) and is scaled to unit length: OpenAI's vectors
/// already are, other servers' may not be, and the index compares vectors by dot product.
/// </para>
/// <para>
/// 429, 5xx, timeouts and network errors are retried by the SDK's pipeline (<see cref="OpenAIRetryPolicy"/>) up to
/// <see cref="EmbeddingModelOptions.MaxRetries"/> times, waiting as long as Retry-After asks (capped at
/// <see cref="MaxRetryDelay"/>), then surface as <see cref="TransientException"/>.
/// Errors never carry the SDK's message: it quotes the response body, which may echo the documents, so the key and
/// the text never reach a log.
/// </para>
/// <para>
/// With <see cref="EmbeddingModelOptions.TokensPerMinute"/> set, every request first waits for its tokens to fit a
/// <see cref="TokenBudget"/> shared by all callers of this embedder (one per process), and batches are also cut so
/// that none holds more tokens than the whole budget. Retries take from the budget again: the endpoint counts them.
/// </para>
/// <para>
/// Tokens are counted with cl100k_base, the tokenizer of every OpenAI embedding model. For another model behind a
/// compatible endpoint it is an estimate, which is why <see cref="EmbeddingModelOptions.MaxInputTokens"/> is a setting.
/// </para>
/// </remarks>
internal sealed class OpenAIEmbeddingModel : IEmbeddingGenerator<string, Embedding<float>>, IEmbeddingModel
{
    /// <summary>Longest wait between retries, whatever Retry-After says, so a stuck endpoint cannot park ingestion for hours.</summary>
    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(60);

    // The native lengths of OpenAI's models. Only these are asked for another length: text-embedding-3 models shorten
    // on request, while other servers may reject the parameter, so for them a mismatch is reported instead.
    private static readonly Dictionary<string, int> NativeDimensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ["text-embedding-3-small"] = 1536,
        ["text-embedding-3-large"] = 3072,
        ["text-embedding-ada-002"] = 1536,
    };

    private static readonly Tokenizer Cl100k = TiktokenTokenizer.CreateForEncoding("cl100k_base");

    private readonly IEmbeddingGenerator<string, Embedding<float>> _inner;
    private readonly EmbeddingGenerationOptions _requestOptions;
    private readonly EmbeddingGeneratorMetadata _metadata;
    private readonly int _batchSize;
    private readonly int _maxRetries;
    private readonly ILogger _logger;
    private readonly TokenBudget? _budget;
    private readonly AsyncLocal<(int Tokens, bool Query)?> _sending = new();

    public OpenAIEmbeddingModel(
        IEmbeddingGenerator<string, Embedding<float>> inner, EmbeddingModelOptions options, Uri endpoint, TimeProvider time, ILogger<OpenAIEmbeddingModel> logger)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(options);
        _inner = inner;
        _batchSize = options.BatchSize;
        _maxRetries = options.MaxRetries;
        _logger = logger;
        Info = new EmbeddingModelInfo(options.Model!, options.Dimensions, options.MaxInputTokens);
        var shorten = NativeDimensions.TryGetValue(Info.ModelId, out var native) && native != Info.Dimensions;
        _requestOptions = new EmbeddingGenerationOptions { Dimensions = shorten ? Info.Dimensions : null };
        _metadata = new EmbeddingGeneratorMetadata(options.Provider.ToString(), endpoint, Info.ModelId, Info.Dimensions);
        _budget = options.TokensPerMinute > 0 ? new TokenBudget(options.TokensPerMinute, time, logger) : null;
    }

    public EmbeddingModelInfo Info { get; }

    /// <summary>The tokens-per-minute budget every request waits for; null when Memic:Embeddings:TokensPerMinute is 0.</summary>
    internal TokenBudget? Budget => _budget;

    /// <summary>Counts cl100k_base tokens in the whole text, without truncation.</summary>
    public int CountTokens(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Cl100k.CountTokens(text);
    }

    /// <summary>Embeds every value in requests of at most the batch size and returns unit vectors in input order.</summary>
    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        ValidateOptions(options);
        var texts = values as IReadOnlyList<string> ?? values.ToList();
        if (texts.Any(t => t is null))
        {
            throw new ArgumentException("Values must not contain null.", nameof(values));
        }

        var result = new GeneratedEmbeddings<Embedding<float>>(texts.Count) { Usage = new UsageDetails() };
        foreach (var (batch, tokens) in Batches(texts))
        {
            var generated = await GenerateBatchAsync(batch, tokens, EmbeddingPurpose.IsQuery(options), cancellationToken);
            if (generated.Count != batch.Length)
            {
                throw new InvalidOperationException($"The embedding endpoint returned {generated.Count} vectors for {batch.Length} inputs.");
            }

            foreach (var embedding in generated)
            {
                result.Add(Normalized(embedding));
            }

            result.Usage.InputTokenCount = (result.Usage.InputTokenCount ?? 0) + (generated.Usage?.InputTokenCount ?? 0);
            result.Usage.TotalTokenCount = (result.Usage.TotalTokenCount ?? 0) + (generated.Usage?.TotalTokenCount ?? 0);
        }

        return result;
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(EmbeddingGeneratorMetadata))
        {
            return _metadata;
        }

        return serviceType.IsInstanceOfType(this) ? this : _inner.GetService(serviceType);
    }

    public void Dispose()
    {
        _budget?.Dispose();
        _inner.Dispose();
    }

    /// <summary>
    /// Requests of at most the batch size and, under a budget, of at most the budget's tokens, so no request waits for
    /// room that can never exist. An input larger than the budget on its own goes alone (see <see cref="TokenBudget"/>).
    /// </summary>
    private IEnumerable<(string[] Batch, int Tokens)> Batches(IReadOnlyList<string> texts)
    {
        if (_budget is null)
        {
            foreach (var batch in texts.Chunk(_batchSize))
            {
                yield return (batch, 0);
            }

            yield break;
        }

        var current = new List<string>(Math.Min(_batchSize, texts.Count));
        var tokens = 0;
        foreach (var text in texts)
        {
            var count = CountTokens(text);
            if (current.Count > 0 && (current.Count == _batchSize || tokens + count > _budget.TokensPerMinute))
            {
                yield return ([.. current], tokens);
                current.Clear();
                tokens = 0;
            }

            current.Add(text);
            tokens += count;
        }

        if (current.Count > 0)
        {
            yield return ([.. current], tokens);
        }
    }

    private void ValidateOptions(EmbeddingGenerationOptions? options)
    {
        // Vectors of another size or model would be silently incompatible with the index, so refuse them.
        if (options?.Dimensions is { } dimensions && dimensions != Info.Dimensions)
        {
            throw new ArgumentException($"{Info.ModelId} is configured for {Info.Dimensions}-dimensional vectors, not {dimensions}.", nameof(options));
        }

        if (options?.ModelId is { } modelId && !string.Equals(modelId, Info.ModelId, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"This generator runs {Info.ModelId}, not {modelId}.", nameof(options));
        }
    }

    /// <summary>
    /// Takes a retry's tokens from the budget again, as the endpoint counts them; <see cref="OpenAIRetryPolicy"/> calls it
    /// inside the SDK's call, so the request it retries is the one <see cref="GenerateBatchAsync"/> put in <see cref="_sending"/>.
    /// </summary>
    internal async ValueTask ChargeRetryAsync(CancellationToken cancellationToken)
    {
        if (_budget is not null && _sending.Value is { } request)
        {
            await _budget.AcquireAsync(request.Tokens, request.Query, cancellationToken);
        }
    }

    /// <summary>One request; the SDK retries what is worth retrying (<see cref="OpenAIRetryPolicy"/>), and what is left is translated here.</summary>
    private async Task<GeneratedEmbeddings<Embedding<float>>> GenerateBatchAsync(string[] batch, int tokens, bool query, CancellationToken cancellationToken)
    {
        if (_budget is not null)
        {
            await _budget.AcquireAsync(tokens, query, cancellationToken);
        }

        _sending.Value = (tokens, query);
        try
        {
            return await _inner.GenerateAsync(batch, _requestOptions, cancellationToken);
        }
        catch (Exception ex) when (TransientFailure(ex, cancellationToken) is { } failure)
        {
            throw new TransientException($"The embedding endpoint {failure} on {_maxRetries + 1} attempts.");
        }
        catch (ClientResultException ex)
        {
            // Status alone: the SDK's message quotes the response body. 400/401/403/404 are settings errors, not worth retrying.
            throw new InvalidOperationException(
                $"The embedding endpoint answered HTTP {ex.Status}; check Memic:Embeddings:Endpoint, Model and ApiKey.");
        }
        finally
        {
            _sending.Value = null;
        }
    }

    /// <summary>How the last try failed, when it failed in a way worth trying again later; null otherwise.</summary>
    private static string? TransientFailure(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        ClientResultException { Status: 0 } or HttpRequestException => "could not be reached",
        ClientResultException { Status: var status } when TransientStatus.Is(status) => $"answered HTTP {status}",
        OperationCanceledException when !cancellationToken.IsCancellationRequested => "did not answer within Memic:Embeddings:Timeout",
        // The SDK's retry gives up with every try's failure when none was answered; the last one says how.
        AggregateException { InnerExceptions: [.., var last] } => TransientFailure(last, cancellationToken),
        _ => null,
    };

    private Embedding<float> Normalized(Embedding<float> embedding)
    {
        var source = embedding.Vector.Span;
        if (source.Length != Info.Dimensions)
        {
            throw new InvalidOperationException(
                $"The embedding endpoint returned {source.Length}-dimensional vectors, but Memic:Embeddings:Dimensions is {Info.Dimensions} for {Info.ModelId}.");
        }

        var vector = new float[source.Length];
        var norm = TensorPrimitives.Norm(source);
        TensorPrimitives.Divide(source, Math.Max(norm, 1e-12f), vector);
        return new Embedding<float>(vector) { ModelId = embedding.ModelId ?? Info.ModelId, CreatedAt = embedding.CreatedAt };
    }
}
