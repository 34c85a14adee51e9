using System.Globalization;
using System.Numerics.Tensors;
using Memic.Core.Embeddings;
using Memic.Core.Search;
using Memic.Embedded;
using Memic.Embedded.Embeddings;
using Memic.Embedded.Search;
using Memic.Ingestion;
using Memic.Ingestion.Extraction;
using Microsoft.Extensions.Options;

namespace Memic.Benchmarks;

/// <summary>
/// <c>retrieval-quality</c>: how well search finds the right document, on the hand-written corpus and labeled queries
/// in bench/data/retrieval. The corpus is ingested into a temporary embedded index through the real components (the
/// ingestion reader chunking to MiniLM's window by MiniLM's tokenizer, MiniLM embeddings, the SQLite index), then
/// every query is ranked three ways over that one index: BM25 alone, vectors alone, and Memic's hybrid search
/// (<see cref="SearchService"/>, calibrated score). Measures are at document level over the top 10 chunks, each
/// document counted once at its first chunk: nDCG@10, Recall@10 and MRR; "section MRR" is the reciprocal rank of the
/// first chunk from the labeled section, to show whether the right passage comes first, not only the right file.
/// <c>--failures</c> lists every query where hybrid ranks worse than either single method.
/// </summary>
internal static class RetrievalQuality
{
    private const int TopK = 10;
    private const double DefaultMinScore = 0.7;
    internal static readonly Guid Environment = new("7e7a0000-0000-4000-8000-000000000001");
    private static readonly Guid Folder = new("7e7a0000-0000-4000-9000-000000000001");

    internal sealed record LabeledQuery(string Type, string Text, IReadOnlySet<string> Relevant, string FirstRelevant, string Section);

    private sealed record Ranked(IndexedChunk Chunk, double Score);

    private sealed record Method(string Name, Func<LabeledQuery, Task<IReadOnlyList<Ranked>>> RankAsync);

    private sealed record Measures(double Ndcg, double Recall, double ReciprocalRank, double SectionReciprocalRank);

    public static async Task<int> RunAsync(string[] args)
    {
        var showFailures = args.Contains("--failures");
        var data = BenchSupport.FindDataDirectory("retrieval");
        var queries = ReadQueries(Path.Combine(data, "queries.tsv"));
        var dataDirectory = Directory.CreateTempSubdirectory("memic-bench-retrieval-").FullName;
        try
        {
            using var embedder = new MiniLmEmbeddingGenerator();
            using var index = new SqliteSearchIndex(Options.Create(new EmbeddedOptions { DataDirectory = dataDirectory }));
            var chunks = await IngestAsync(Path.Combine(data, "corpus"), index, embedder);
            var missing = queries.SelectMany(q => q.Relevant).Distinct().Except(chunks.Select(c => c.FileName)).ToList();
            var unplaced = queries.Where(q => !chunks.Any(c => InSection(c, q))).Select(q => $"{q.FirstRelevant} \"{q.Section}\"").ToList();
            if (missing.Count > 0 || unplaced.Count > 0)
            {
                await Console.Error.WriteLineAsync($"queries.tsv names documents or sections that are not in the corpus: {string.Join(", ", missing.Concat(unplaced))}");
                return 1;
            }

            using var usage = BenchSupport.DiscardedUsage();
            var search = new SearchService(index, embedder, embedder, usage, BenchSupport.NoQuotas(usage), Options.Create(new EmbeddingModelOptions()), TimeProvider.System);
            Method[] methods =
            [
                new("BM25 alone (FTS5)", async q =>
                {
                    var candidates = await index.QueryAsync(Environment, new IndexQuery(q.Text, ReadOnlyMemory<float>.Empty, IndexFilter.None, TopK), default);
                    return [.. candidates.Where(c => c.TextScore is not null).OrderByDescending(c => c.TextScore).Take(TopK).Select(c => new Ranked(c.Chunk, c.TextScore!.Value))];
                }),
                new("vectors alone (MiniLM cosine)", async q =>
                {
                    var vector = (await embedder.GenerateAsync([q.Text]))[0].Vector;
                    var candidates = await index.QueryAsync(Environment, new IndexQuery("", vector, IndexFilter.None, TopK), default);
                    return [.. candidates.OrderByDescending(c => c.VectorSimilarity).Take(TopK).Select(c => new Ranked(c.Chunk, c.VectorSimilarity))];
                }),
                new("hybrid (SearchService score)", async q =>
                {
                    var outcome = await search.SearchAsync(Environment, new SearchRequest(q.Text, TopK, 0, IndexFilter.None, false, null), default);
                    return [.. outcome.Hits.Select(h => new Ranked(h.Chunk, h.Score))];
                }),
            ];

            var rankings = new IReadOnlyList<Ranked>[methods.Length][];
            var measures = new Measures[methods.Length][];
            for (var m = 0; m < methods.Length; m++)
            {
                rankings[m] = new IReadOnlyList<Ranked>[queries.Count];
                measures[m] = new Measures[queries.Count];
                for (var q = 0; q < queries.Count; q++)
                {
                    rankings[m][q] = await methods[m].RankAsync(queries[q]);
                    measures[m][q] = Measure(rankings[m][q], queries[q]);
                }
            }

            Print(methods, queries, measures, chunks);
            await PrintScoreCutAsync(queries, rankings[^1], chunks, embedder);
            if (showFailures)
            {
                PrintFailures(methods, queries, rankings, measures);
            }

            return 0;
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    /// <summary>Parses, chunks, embeds and indexes every corpus file as the ingestion pipeline would, file name as the document's identity.</summary>
    internal static async Task<List<IndexedChunk>> IngestAsync(
        string corpus, SqliteSearchIndex index, MiniLmEmbeddingGenerator embedder)
    {
        var reader = new IngestionDocumentReader(DocumentExtractorRegistry.CreateDefault());
        await index.CreateAsync(Environment, embedder.Info, default);
        var files = Directory.GetFiles(corpus).Order(StringComparer.Ordinal).ToList();
        var all = new List<IndexedChunk>();
        for (var f = 0; f < files.Count; f++)
        {
            var name = Path.GetFileName(files[f]);
            var mimeType = Path.GetExtension(name) switch
            {
                ".md" => "text/markdown",
                ".txt" => "text/plain",
                var other => throw new InvalidOperationException($"The retrieval corpus holds {name}; only .md and .txt are expected ({other})."),
            };

            await using var content = File.OpenRead(files[f]);
            var parsed = await reader.ParseAsync(content, mimeType, name, default);
            var chunks = reader.Chunk(parsed, embedder, embedder.Info.MaxInputTokens, default);
            var vectors = await embedder.GenerateAsync(chunks.Select(c => c.Text));
            var fileId = new Guid($"7e7a0000-0000-4000-a000-{f:D12}");
            var indexed = chunks.Select((c, i) => new IndexedChunk(
                new Guid($"7e7a0000-{f:D4}-4000-b000-{i:D12}"), fileId, Folder, c.ChunkIndex, c.Text, c.PageNumber, c.StartPage, c.EndPage,
                c.TokenCount, c.HeadingPath, name, mimeType, null, null, null, new Dictionary<string, string>(), vectors[i].Vector)).ToList();
            await index.ReplaceFileChunksAsync(Environment, fileId, indexed, default);
            all.AddRange(indexed);
        }

        return all;
    }

    internal static List<LabeledQuery> ReadQueries(string path) =>
    [
        .. File.ReadLines(path)
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split('\t'))
            .Select(p =>
            {
                var relevant = p[2].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                return new LabeledQuery(p[0], p[1], relevant.ToHashSet(StringComparer.Ordinal), relevant[0], p.Length > 3 ? p[3] : "");
            }),
    ];

    /// <summary>Binary-relevance nDCG@10, Recall@10 and reciprocal rank over documents in order of their first chunk.</summary>
    private static Measures Measure(IReadOnlyList<Ranked> ranking, LabeledQuery query)
    {
        var documents = ranking.Select(r => r.Chunk.FileName).Distinct(StringComparer.Ordinal).Take(TopK).ToList();
        double dcg = 0, ideal = 0, reciprocal = 0;
        for (var i = 0; i < documents.Count; i++)
        {
            if (query.Relevant.Contains(documents[i]))
            {
                dcg += 1 / Math.Log2(i + 2);
                reciprocal = reciprocal == 0 ? 1.0 / (i + 1) : reciprocal;
            }
        }

        for (var i = 0; i < Math.Min(query.Relevant.Count, TopK); i++)
        {
            ideal += 1 / Math.Log2(i + 2);
        }

        var section = ranking.Select((r, i) => (r.Chunk, Rank: i + 1)).FirstOrDefault(x => InSection(x.Chunk, query)).Rank;
        var recall = documents.Count(query.Relevant.Contains) / (double)query.Relevant.Count;
        return new Measures(dcg / ideal, recall, reciprocal, section == 0 ? 0 : 1.0 / section);
    }

    /// <summary>A chunk of the first relevant document under the labeled heading (Markdown) or holding it as a line (plain text).</summary>
    private static bool InSection(IndexedChunk chunk, LabeledQuery query) =>
        query.Section.Length > 0
        && string.Equals(chunk.FileName, query.FirstRelevant, StringComparison.Ordinal)
        && (chunk.HeadingPath.Contains(query.Section, StringComparer.Ordinal) || chunk.Content.Split('\n').Any(l => string.Equals(l.Trim(), query.Section, StringComparison.Ordinal)));

    private static void Print(Method[] methods, List<LabeledQuery> queries, Measures[][] measures, List<IndexedChunk> chunks)
    {
        var types = queries.Select(q => q.Type).Distinct().ToList();
        Console.WriteLine($"corpus: {chunks.Select(c => c.FileName).Distinct().Count()} documents, {chunks.Count} chunks ({chunks.Average(c => c.TokenCount):F0} MiniLM tokens avg); queries: {queries.Count} " +
                          $"({string.Join(", ", types.Select(t => $"{queries.Count(q => q.Type == t)} {t}"))}); top {TopK}; model {MiniLmEmbeddingGenerator.ModelId}");
        Console.WriteLine($"machine: {BenchSupport.Machine()}; load average {BenchSupport.LoadAverage()}");
        Console.WriteLine();
        Console.WriteLine($"| {"method",-30} | nDCG@10 | Recall@10 |   MRR | section MRR |");
        Console.WriteLine($"|{new string('-', 32)}|--------:|----------:|------:|------------:|");
        for (var m = 0; m < methods.Length; m++)
        {
            var all = measures[m];
            Console.WriteLine($"| {methods[m].Name,-30} | {all.Average(x => x.Ndcg),7:F3} | {all.Average(x => x.Recall),9:F3} | {all.Average(x => x.ReciprocalRank),5:F3} | {all.Average(x => x.SectionReciprocalRank),11:F3} |");
        }

        Console.WriteLine();
        Console.WriteLine($"| {"nDCG@10 by query type",-30} | {string.Join(" | ", types.Select(t => $"{t} ({queries.Count(q => q.Type == t)})"))} |");
        Console.WriteLine($"|{new string('-', 32)}|{string.Join("|", types.Select(t => new string('-', t.Length + 6) + ":"))}|");
        for (var m = 0; m < methods.Length; m++)
        {
            var cells = types.Select(t =>
            {
                var value = queries.Select((q, i) => (q, i)).Where(x => x.q.Type == t).Average(x => measures[m][x.i].Ndcg);
                return value.ToString("F3", CultureInfo.InvariantCulture).PadLeft(t.Length + 5);
            });
            Console.WriteLine($"| {methods[m].Name,-30} | {string.Join(" | ", cells)} |");
        }

        var hybrid = methods.Length - 1;
        Console.WriteLine();
        for (var m = 0; m < hybrid; m++)
        {
            var better = queries.Where((_, i) => measures[hybrid][i].Ndcg > measures[m][i].Ndcg + 1e-9).Count();
            var worse = queries.Where((_, i) => measures[hybrid][i].Ndcg < measures[m][i].Ndcg - 1e-9).Count();
            Console.WriteLine($"hybrid vs {methods[m].Name}: nDCG@10 higher on {better} queries, lower on {worse}, equal on {queries.Count - better - worse}");
        }
    }

    /// <summary>
    /// What the API's default <c>min_score</c> keeps, per query type. The contract wants every passage a query paraphrases
    /// or quotes at 0.7 or above, so the labeled passage's own score is computed as search computes it, wherever it ranks.
    /// </summary>
    private static async Task PrintScoreCutAsync(List<LabeledQuery> queries, IReadOnlyList<Ranked>[] hybrid, List<IndexedChunk> chunks, MiniLmEmbeddingGenerator embedder)
    {
        var profile = RelevanceProfile.For(embedder.Info.ModelId);
        var vectors = await embedder.GenerateAsync(queries.Select(q => q.Text));
        var labeled = queries.Select((q, i) => chunks.Where(c => InSection(c, q))
            .Max(c => RelevanceScorer.Score(q.Text, c.Content, TensorPrimitives.CosineSimilarity(vectors[i].Vector.Span, c.Vector.Span), profile))).ToArray();

        // Hits are sorted by score, so the cut keeps a prefix of each top 10.
        var kept = hybrid.Select(ranking => ranking.Where(r => r.Score >= DefaultMinScore).ToList()).ToArray();
        var types = queries.Select(q => q.Type).Distinct().ToList();
        Console.WriteLine();
        Console.WriteLine($"| {$"hybrid at min_score {DefaultMinScore} (API default)",-42} | {string.Join(" | ", types.Select(t => $"{t,10}"))} |");
        Console.WriteLine($"|{new string('-', 44)}|{string.Join("|", types.Select(_ => new string('-', 11) + ":"))}|");
        Row("labeled passage scores >= 0.7", i => labeled[i] >= DefaultMinScore ? 1 : 0, total: true);
        Row("queries keeping a relevant document", i => kept[i].Any(r => queries[i].Relevant.Contains(r.Chunk.FileName)) ? 1 : 0, total: true);
        Row("queries returning nothing", i => kept[i].Count == 0 ? 1 : 0, total: true);
        Row("chunks returned per query", i => kept[i].Count, total: false);
        Row("of which from a relevant document", i => kept[i].Count(r => queries[i].Relevant.Contains(r.Chunk.FileName)), total: false);

        void Row(string name, Func<int, int> value, bool total)
        {
            var cells = types.Select(t =>
            {
                var ofType = Enumerable.Range(0, queries.Count).Where(i => queries[i].Type == t).ToList();
                var sum = ofType.Sum(value);
                return (total ? $"{sum}/{ofType.Count}" : (sum / (double)ofType.Count).ToString("F1", CultureInfo.InvariantCulture)).PadLeft(10);
            });
            Console.WriteLine($"| {name,-42} | {string.Join(" | ", cells)} |");
        }
    }

    private static void PrintFailures(Method[] methods, List<LabeledQuery> queries, IReadOnlyList<Ranked>[][] rankings, Measures[][] measures)
    {
        var hybrid = methods.Length - 1;
        Console.WriteLine();
        Console.WriteLine("queries where hybrid's nDCG@10 is below BM25's or the vectors' (top 3 chunks per method: document#chunk score):");
        for (var q = 0; q < queries.Count; q++)
        {
            if (Enumerable.Range(0, hybrid).All(m => measures[hybrid][q].Ndcg >= measures[m][q].Ndcg - 1e-9))
            {
                continue;
            }

            Console.WriteLine($"- [{queries[q].Type}] \"{queries[q].Text}\" → {string.Join(", ", queries[q].Relevant)}");
            for (var m = 0; m < methods.Length; m++)
            {
                var top = rankings[m][q].Take(3).Select(r => $"{r.Chunk.FileName}#{r.Chunk.ChunkIndex} {r.Score:F3}");
                Console.WriteLine($"    {methods[m].Name,-30} nDCG {measures[m][q].Ndcg:F3}: {string.Join("; ", top)}");
            }
        }
    }
}
