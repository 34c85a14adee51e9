using Memic.Core.Ports;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Memic.Embedded.Embeddings;

public static class DependencyInjection
{
    /// <summary>
    /// Registers the in-process all-MiniLM-L6-v2 embedder as one singleton serving both the M.E.AI embedding generator
    /// and the <see cref="IEmbeddingModel"/> port, so the chunker counts tokens with the tokenizer that embeds them.
    /// </summary>
    public static IServiceCollection AddMiniLmEmbeddings(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<MiniLmEmbeddingGenerator>();
        services.TryAddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(sp => sp.GetRequiredService<MiniLmEmbeddingGenerator>());
        services.TryAddSingleton<IEmbeddingModel>(sp => sp.GetRequiredService<MiniLmEmbeddingGenerator>());
        return services;
    }
}
