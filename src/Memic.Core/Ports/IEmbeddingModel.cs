namespace Memic.Core.Ports;

/// <summary>Counts tokens the way a model does, so text can be sized to the model's window.</summary>
public interface ITokenCounter
{
    int CountTokens(string text);
}

/// <summary>An embedding model's identity and limits. An index records the model it was built with.</summary>
/// <param name="ModelId">e.g. <c>all-MiniLM-L6-v2</c> or an Azure OpenAI deployment's model name.</param>
/// <param name="Dimensions">Length of every vector it returns.</param>
/// <param name="MaxInputTokens">The longest input it embeds in full (in its own tokens); chunks are sized below it.</param>
public sealed record EmbeddingModelInfo(string ModelId, int Dimensions, int MaxInputTokens);

/// <summary>
/// What the pipeline needs to know about the embedder beyond <c>IEmbeddingGenerator</c>: its identity, window and
/// tokenizer, so the chunker sizes chunks to what the model actually reads.
/// </summary>
public interface IEmbeddingModel : ITokenCounter
{
    EmbeddingModelInfo Info { get; }
}
