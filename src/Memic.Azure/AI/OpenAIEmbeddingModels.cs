using System.ClientModel;
using System.ClientModel.Primitives;
using Azure.AI.OpenAI;
using Azure.Core;
using Memic.Core.Embeddings;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using OpenAI;

namespace Memic.Azure.AI;

/// <summary>
/// Builds <see cref="OpenAIEmbeddingModel"/> from <c>Memic:Embeddings</c>: OpenAI, any OpenAI-compatible endpoint or an
/// Azure OpenAI deployment (with its API key or, without one, the app's Azure credential, asked for only then).
/// </summary>
internal static class OpenAIEmbeddingModels
{
    public static OpenAIEmbeddingModel Create(EmbeddingModelOptions options, Func<TokenCredential> credential, TimeProvider time, ILoggerFactory loggers)
    {
        var endpoint = new Uri(options.Endpoint!);
        var logger = loggers.CreateLogger<OpenAIEmbeddingModel>();

        // The retry policy charges each retry to the model's token budget, and the model needs the client first.
        OpenAIEmbeddingModel? model = null;
        var retry = new OpenAIRetryPolicy(options.MaxRetries, OpenAIEmbeddingModel.MaxRetryDelay, "embedding endpoint", time, logger,
            cancellationToken => model!.ChargeRetryAsync(cancellationToken));
        var generator = options.Provider switch
        {
            EmbeddingProvider.OpenAI => OpenAICompatible(options, endpoint, retry),
            EmbeddingProvider.AzureOpenAI => AzureOpenAI(options, endpoint, credential, retry),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Provider, "No remote embedder exists for this provider."),
        };
        logger.LogInformation("Embeddings come from {Provider} model {Model} at {Endpoint} ({Dimensions} dimensions, budget {TokensPerMinute} tokens per minute, 0 = none)",
            options.Provider, options.Model, endpoint, options.Dimensions, options.TokensPerMinute);
        model = new OpenAIEmbeddingModel(generator, options, endpoint, time, logger);
        return model;
    }

    private static IEmbeddingGenerator<string, Embedding<float>> OpenAICompatible(EmbeddingModelOptions options, Uri endpoint, OpenAIRetryPolicy retry)
    {
        var clientOptions = Pipeline(new OpenAIClientOptions { Endpoint = endpoint }, options, retry);

        // OpenAI-compatible servers on a custom endpoint often take no key, but the client insists on one.
        var key = string.IsNullOrWhiteSpace(options.ApiKey) ? "no-key" : options.ApiKey;
        return new OpenAI.Embeddings.EmbeddingClient(options.Model, new ApiKeyCredential(key), clientOptions).AsIEmbeddingGenerator();
    }

    private static IEmbeddingGenerator<string, Embedding<float>> AzureOpenAI(
        EmbeddingModelOptions options, Uri endpoint, Func<TokenCredential> credential, OpenAIRetryPolicy retry)
    {
        var clientOptions = Pipeline(new AzureOpenAIClientOptions(), options, retry);
        var client = string.IsNullOrWhiteSpace(options.ApiKey)
            ? new AzureOpenAIClient(endpoint, credential(), clientOptions)
            : new AzureOpenAIClient(endpoint, new ApiKeyCredential(options.ApiKey), clientOptions);
        return client.GetEmbeddingClient(options.Model).AsIEmbeddingGenerator();
    }

    private static T Pipeline<T>(T clientOptions, EmbeddingModelOptions options, OpenAIRetryPolicy retry)
        where T : ClientPipelineOptions
    {
        clientOptions.RetryPolicy = retry;
        clientOptions.NetworkTimeout = options.Timeout;
        return clientOptions;
    }
}
