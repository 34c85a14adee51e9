using Microsoft.Extensions.AI;

namespace Memic.Server.Tests;

/// <summary>
/// The real embedder, except that texts containing <see cref="Marker"/> are held until <see cref="Release"/>: a pipeline
/// run that reaches its embedding step for such a file stops there, mid-run, for as long as the test needs.
/// </summary>
internal sealed class GatedEmbedder(string marker)
{
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _holding;

    public string Marker { get; } = marker;

    /// <summary>Completes when a run first waits at the gate.</summary>
    public Task Held => _held.Task;

    /// <summary>Runs waiting at the gate now.</summary>
    public int Holding => Volatile.Read(ref _holding);

    public void Release() => _released.TrySetResult();

    public IEmbeddingGenerator<string, Embedding<float>> Wrap(IEmbeddingGenerator<string, Embedding<float>> inner) => new Generator(inner, this);

    private sealed class Generator(IEmbeddingGenerator<string, Embedding<float>> inner, GatedEmbedder gate) : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
    {
        public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
            IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            var texts = values.ToList();
            if (texts.Any(t => t.Contains(gate.Marker, StringComparison.Ordinal)))
            {
                Interlocked.Increment(ref gate._holding);
                gate._held.TrySetResult();
                try
                {
                    await gate._released.Task.WaitAsync(cancellationToken);
                }
                finally
                {
                    Interlocked.Decrement(ref gate._holding);
                }
            }

            return await base.GenerateAsync(texts, options, cancellationToken);
        }
    }
}
