using Microsoft.Extensions.AI;

namespace Memic.Core.Embeddings;

/// <summary>
/// Says what an embedding request is for, so a rate-limited remote model can embed a search query at once instead of
/// queueing it behind ingestion batches. Embedders that have no queue ignore it.
/// </summary>
public static class EmbeddingPurpose
{
    public const string Key = "memic.embedding_purpose";
    public const string Query = "query";

    /// <summary>Options marking a request as a search query: one short input, someone waiting for the answer.</summary>
    public static EmbeddingGenerationOptions ForQuery() => new() { AdditionalProperties = new() { [Key] = Query } };

    public static bool IsQuery(EmbeddingGenerationOptions? options) =>
        options?.AdditionalProperties is { } properties && properties.TryGetValue(Key, out var purpose) && Equals(purpose, Query);
}
