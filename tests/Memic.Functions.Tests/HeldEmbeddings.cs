using Microsoft.Extensions.AI;

namespace Memic.Functions.Tests;

/// <summary>The real embedder, holding texts with the marker until released.</summary>
internal sealed class HeldEmbeddings(string marker)
{
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Marker { get; } = marker;

    public Task Held => _held.Task;

    public void Release() => _released.TrySetResult();

    public IEmbeddingGenerator<string, Embedding<float>> Wrap(IEmbeddingGenerator<string, Embedding<float>> inner) => new Generator(inner, this);

    private sealed class Generator(IEmbeddingGenerator<string, Embedding<float>> inner, HeldEmbeddings gate) : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
    {
        public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
            IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            var texts = values.ToList();
            if (texts.Any(t => t.Contains(gate.Marker, StringComparison.Ordinal)))
            {
                gate._held.TrySetResult();
                await gate._released.Task.WaitAsync(cancellationToken);
            }

            return await base.GenerateAsync(texts, options, cancellationToken);
        }
    }
}
