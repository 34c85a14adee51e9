using Memic.Azure;
using Memic.Core.Embeddings;
using Memic.Embedded.Embeddings;

namespace Memic.Server;

/// <summary>
/// Turns <c>Memic:Embeddings:Provider</c> (CONTRACT §13) into the embedder: the in-process MiniLM model by default, or
/// the remote model of the Azure adapters (OpenAI, any OpenAI-compatible endpoint or an Azure OpenAI deployment),
/// which the Functions host shares.
/// </summary>
internal static class EmbeddingProviders
{
    /// <summary>
    /// The provider decides which embedder is registered, so it is read while composing; the rest of the settings are
    /// validated on start and read when the embedder is first needed.
    /// </summary>
    public static IServiceCollection AddEmbeddingProvider(this IServiceCollection services, IConfiguration configuration)
    {
        var provider = configuration.GetSection(EmbeddingModelOptions.Section)
            .GetValue<EmbeddingProvider?>(nameof(EmbeddingModelOptions.Provider)) ?? EmbeddingProvider.Embedded;
        return provider == EmbeddingProvider.Embedded ? services.AddMiniLmEmbeddings() : services.AddOpenAIEmbeddings();
    }
}
