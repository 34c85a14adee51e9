using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using Memic.Core.Ports;
using Memic.Core.Search;
using Memic.Embedded;
using Memic.Embedded.Search;
using Microsoft.Extensions.Options;

namespace Memic.Benchmarks;

/// <summary>
/// Embedded search over 100k chunks × 384 dimensions in one environment (a second, 10k-chunk environment sits
/// beside it), against a naive single-thread float loop over the same vectors. Filling SQLite takes about a
/// minute, so the index is built once into a fixed temporary folder and reused by every benchmark process (and
/// later runs) until <see cref="DatasetVersion"/> changes; the vectors are regenerated from the same seed.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
public class IndexScanBenchmarks
{
    private const string DatasetVersion = "v2";
    private const int Files = 100;
    private const int ChunksPerFile = 1_000;
    private const int Dimensions = 384;
    private const int Candidates = 50;
    private const int Folders = 10;
    private static readonly Guid Environment = new("5c6f8a10-0000-4000-8000-000000000001");
    private static readonly Guid OtherEnvironment = new("5c6f8a10-0000-4000-8000-000000000002");

    private SqliteSearchIndex _index = null!;
    private float[] _vectors = null!;
    private float[] _queryVector = null!;
    private IndexQuery _vectorOnly = null!;
    private IndexQuery _hybrid = null!;
    private IndexQuery _hybridFolderFilter = null!;
    private IndexQuery _hybridFileFilter = null!;
    private IndexQuery _textOnly = null!;
    private IndexQuery _hybridRareWords = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"memic-bench-index-scan-{DatasetVersion}");
        var complete = Path.Combine(directory, "complete");
        var build = !File.Exists(complete);
        if (build && Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }

        _index = new SqliteSearchIndex(Options.Create(new EmbeddedOptions { DataDirectory = directory }));
        _vectors = new float[Files * ChunksPerFile * Dimensions];
        var random = new Random(42);
        var words = new Words(random);
        var model = new EmbeddingModelInfo("bench-model", Dimensions, 256);
        if (build)
        {
            await _index.CreateAsync(Environment, model, default);
            await _index.CreateAsync(OtherEnvironment, model, default);
        }

        var folders = Enumerable.Range(0, Folders).Select(i => new Guid($"5c6f8a10-0000-4000-9000-{i:D12}")).ToArray();
        for (var f = 0; f < Files; f++)
        {
            var file = new Guid($"5c6f8a10-0000-4000-a000-{f:D12}");
            var chunks = new List<IndexedChunk>(ChunksPerFile);
            for (var i = 0; i < ChunksPerFile; i++)
            {
                var vector = _vectors.AsSpan(((f * ChunksPerFile) + i) * Dimensions, Dimensions);
                RandomUnit(random, vector);
                var text = words.Passage();
                if (build)
                {
                    chunks.Add(Chunk(f, file, folders[f % Folders], i, text, vector.ToArray()));
                }
            }

            if (build)
            {
                await _index.ReplaceFileChunksAsync(Environment, file, chunks, default);
                if (f < 10)
                {
                    await _index.ReplaceFileChunksAsync(OtherEnvironment, file, chunks, default);
                }
            }
        }

        if (build)
        {
            await File.WriteAllTextAsync(complete, DatasetVersion);
        }

        // A query near one stored chunk, as a paraphrase would be, with one very common word (in about a fifth of
        // the chunks) among rarer ones: the costly case for BM25.
        _queryVector = new float[Dimensions];
        RandomUnit(random, _queryVector);
        TensorPrimitives.Multiply(_queryVector, 0.5f, _queryVector);
        TensorPrimitives.Add(_queryVector, _vectors.AsSpan(12_345 * Dimensions, Dimensions), _queryVector);
        TensorPrimitives.Divide(_queryVector, TensorPrimitives.Norm(_queryVector), _queryVector);
        var queryText = $"how does the {words[40]} {words[300]} relate to {words[1200]} and {words[2500]}";

        _vectorOnly = new IndexQuery("", _queryVector, IndexFilter.None, Candidates);
        _hybrid = new IndexQuery(queryText, _queryVector, IndexFilter.None, Candidates);
        _hybridFolderFilter = _hybrid with { Filter = new IndexFilter { FolderIds = [folders[3]] } };
        _hybridFileFilter = _hybrid with { Filter = new IndexFilter { FileIds = [new Guid("5c6f8a10-0000-4000-a000-000000000012")], Pages = new PageRange(1, 500) } };
        _textOnly = new IndexQuery(queryText, ReadOnlyMemory<float>.Empty, IndexFilter.None, Candidates);
        _hybridRareWords = _hybrid with { Text = $"what is the {words[1500]} of {words[2600]} and {words[3700]}" };

        // Loads the vector cache, as the first query after start would.
        await _index.QueryAsync(Environment, _hybrid, default);
        await _index.QueryAsync(OtherEnvironment, _hybrid, default);
    }

    [GlobalCleanup]
    public void Cleanup() => _index.Dispose();

    [Benchmark(Baseline = true, Description = "naive f32 loop, 1 thread, top 50")]
    public long NaiveScan()
    {
        var best = new PriorityQueue<int, float>(Candidates + 1);
        var count = _vectors.Length / Dimensions;
        for (var row = 0; row < count; row++)
        {
            var score = 0f;
            var offset = row * Dimensions;
            for (var d = 0; d < Dimensions; d++)
            {
                score += _vectors[offset + d] * _queryVector[d];
            }

            best.Enqueue(row, score);
            if (best.Count > Candidates)
            {
                best.Dequeue();
            }
        }

        return best.Peek();
    }

    [Benchmark(Description = "TensorPrimitives.Dot f32, 1 thread, top 50")]
    public long TensorPrimitivesScan()
    {
        var best = new PriorityQueue<int, float>(Candidates + 1);
        var count = _vectors.Length / Dimensions;
        for (var row = 0; row < count; row++)
        {
            best.Enqueue(row, TensorPrimitives.Dot(_vectors.AsSpan(row * Dimensions, Dimensions), _queryVector));
            if (best.Count > Candidates)
            {
                best.Dequeue();
            }
        }

        return best.Peek();
    }

    [Benchmark(Description = "QueryAsync vector only")]
    public Task<IReadOnlyList<IndexCandidate>> VectorOnly() => _index.QueryAsync(Environment, _vectorOnly, default);

    [Benchmark(Description = "QueryAsync text only")]
    public Task<IReadOnlyList<IndexCandidate>> TextOnly() => _index.QueryAsync(Environment, _textOnly, default);

    [Benchmark(Description = "QueryAsync hybrid")]
    public Task<IReadOnlyList<IndexCandidate>> Hybrid() => _index.QueryAsync(Environment, _hybrid, default);

    [Benchmark(Description = "QueryAsync hybrid, rarer words")]
    public Task<IReadOnlyList<IndexCandidate>> HybridRareWords() => _index.QueryAsync(Environment, _hybridRareWords, default);

    [Benchmark(Description = "QueryAsync hybrid, folder filter (10%)")]
    public Task<IReadOnlyList<IndexCandidate>> HybridFolderFilter() => _index.QueryAsync(Environment, _hybridFolderFilter, default);

    [Benchmark(Description = "QueryAsync hybrid, file + pages filter (0.5%)")]
    public Task<IReadOnlyList<IndexCandidate>> HybridFileFilter() => _index.QueryAsync(Environment, _hybridFileFilter, default);

    private static IndexedChunk Chunk(int fileNumber, Guid file, Guid folder, int index, string text, float[] vector) => new(
        new Guid($"5c6f8a10-{fileNumber:D4}-4000-b000-{index:D12}"), file, folder, index, text, (index / 2) + 1, (index / 2) + 1, (index / 2) + 1, 200,
        ["Report", $"Section {index / 50}"], $"report-{file.ToString("N")[..6]}.pdf", index % 4 == 0 ? "text/plain" : "application/pdf",
        null, "report", null, new Dictionary<string, string> { ["team"] = index % 2 == 0 ? "blue" : "red" }, vector);

    private static void RandomUnit(Random random, Span<float> vector)
    {
        for (var d = 0; d < vector.Length; d++)
        {
            vector[d] = (float)(random.NextDouble() + random.NextDouble() + random.NextDouble() - 1.5);
        }

        TensorPrimitives.Divide(vector, TensorPrimitives.Norm(vector), vector);
    }

    /// <summary>5,000 pronounceable pseudo-words drawn with a Zipf-like law, so posting lists look like a real corpus's.</summary>
    private sealed class Words(Random random)
    {
        private static readonly string[] Syllables = ["ka", "lo", "mi", "nu", "pe", "ra", "si", "to", "va", "ze", "bo", "du", "fi", "ga", "he", "jo", "ku", "le", "mo", "ni"];
        private readonly string[] _words = [.. Enumerable.Range(0, 5_000).Select(Word)];
        private readonly double[] _cumulative = Cumulative(5_000);

        public string this[int rank] => _words[rank];

        public string Passage()
        {
            var count = random.Next(60, 120);
            var picked = new string[count];
            for (var i = 0; i < count; i++)
            {
                var index = Array.BinarySearch(_cumulative, random.NextDouble());
                picked[i] = _words[Math.Min(index < 0 ? ~index : index, _words.Length - 1)];
            }

            return string.Join(' ', picked);
        }

        private static string Word(int rank) =>
            Syllables[rank % 20] + Syllables[rank / 20 % 20] + (rank >= 400 ? Syllables[rank / 400 % 20] : "");

        private static double[] Cumulative(int count)
        {
            var weights = Enumerable.Range(1, count).Select(r => 1.0 / Math.Pow(r, 1.05)).ToArray();
            var total = weights.Sum();
            var cumulative = new double[count];
            var sum = 0.0;
            for (var i = 0; i < count; i++)
            {
                sum += weights[i] / total;
                cumulative[i] = sum;
            }

            return cumulative;
        }
    }
}
