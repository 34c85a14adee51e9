using System.Globalization;
using Memic.Core.Search;
using Memic.Embedded;
using Memic.Embedded.Embeddings;
using Memic.Embedded.Search;
using Memic.Ingestion;
using Memic.Ingestion.Extraction;
using Microsoft.Extensions.Options;

namespace Memic.Benchmarks;

/// <summary>
/// <c>relevance-real</c>: retrieval quality and score calibration on documents nobody here wrote (the Python library
/// reference, <see cref="PythonDocsCorpus"/>). Pages go through the real HTML extractor, chunker, MiniLM embedder and
/// SQLite index; every query is then ranked by BM25 alone, vectors alone, the shipped <see cref="SearchService"/>, and
/// the ranking levers measured on the same candidates (top <see cref="Pool"/> of the hybrid index query): the old
/// weighted fusion, reciprocal rank fusion and the learned second stage. Document-level measures at 10 as in
/// <c>retrieval-quality</c>, per split (tune on dev, report test), plus what <c>min_score</c> 0.7 keeps.
/// <c>--train</c> fits the second stage on dev (5-fold cross-validation over queries chooses the regularisation) and
/// prints it as C# for <see cref="PassageRanker"/>; <c>--plain</c> also ingests without contextual chunk text.
/// </summary>
internal static class RelevanceReal
{
    private const int TopK = 10;
    private const int Pool = 50;
    private const double MinScore = 0.7;
    private static readonly Guid Contextual = new("7e7a0000-0000-4000-8000-0000000000c1");
    private static readonly Guid Plain = new("7e7a0000-0000-4000-8000-0000000000c0");
    private static readonly Guid Folder = new("7e7a0000-0000-4000-9000-000000000001");

    private sealed record Ranked(IndexedChunk Chunk, double Score);

    private sealed record Measures(double Ndcg, double Recall, double ReciprocalRank, bool AnswerKept, int OtherResults, int OtherPassing, bool AnyPassing);

    private sealed record Case(PythonDocsCorpus.Query Query, float[] Vector, IReadOnlyList<IndexCandidate> Candidates, IReadOnlyList<IndexCandidate> Text);

    public static async Task<int> RunAsync(string[] args)
    {
        if (!await PythonDocsCorpus.EnsureInstalledAsync())
        {
            return 1;
        }

        var train = args.Contains("--train");
        var withPlain = args.Contains("--plain");
        var corpus = PythonDocsCorpus.Build();
        var cacheDirectory = Path.Combine(Path.GetTempPath(), "memic-bench-relevance-real");
        Directory.CreateDirectory(cacheDirectory);
        var dataDirectory = Directory.CreateTempSubdirectory("memic-bench-relevance-real-").FullName;
        try
        {
            using var embedder = new MiniLmEmbeddingGenerator();
            var cache = new EmbeddingCache(embedder, Path.Combine(cacheDirectory, $"{MiniLmEmbeddingGenerator.ModelId}.vectors"));
            using var index = new SqliteSearchIndex(Options.Create(new EmbeddedOptions { DataDirectory = dataDirectory }));
            var started = DateTimeOffset.UtcNow;
            var chunks = await IngestAsync(corpus, index, embedder, cache, Contextual, contextual: true);
            if (withPlain)
            {
                await IngestAsync(corpus, index, embedder, cache, Plain, contextual: false);
            }

            var queryVectors = await cache.EmbedAsync([.. corpus.Queries.Select(q => q.Text)]);
            var dev = corpus.Queries.Count(q => q.IsDev);
            Console.WriteLine($"corpus: {corpus.Documents.Count} pages of {PythonDocsCorpus.LibraryDirectory} ({PythonDocsCorpus.Package}), {chunks.Count} chunks " +
                              $"({chunks.Average(c => c.TokenCount):F0} MiniLM tokens avg); queries: {corpus.Queries.Count} ({dev} dev, {corpus.Queries.Count - dev} test); " +
                              $"ingested in {(DateTimeOffset.UtcNow - started).TotalSeconds:F0} s");
            Console.WriteLine($"machine: {BenchSupport.Machine()}; load average {BenchSupport.LoadAverage()}; {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC");

            using var usage = BenchSupport.DiscardedUsage();
            var search = new SearchService(index, embedder, embedder, usage, TimeProvider.System);
            var environments = withPlain ? new[] { ("contextual chunk text", Contextual), ("plain chunk text", Plain) } : [("contextual chunk text", Contextual)];
            foreach (var (variant, environment) in environments)
            {
                var cases = await CasesAsync(corpus, queryVectors, index, environment);
                var devCases = cases.Where(c => c.Query.IsDev).ToList();
                var model = train ? Train(devCases) : PassageRanker.Model;
                var rankers = new (string Name, Func<Case, Task<IReadOnlyList<Ranked>>> Rank)[]
                {
                    ("BM25 alone (FTS5)", c => Task.FromResult<IReadOnlyList<Ranked>>([.. c.Text.Select(x => new Ranked(x.Chunk, x.TextScore!.Value))])),
                    ("vectors alone (MiniLM cosine)", c => Task.FromResult(Top(c.Candidates.Select(x => new Ranked(x.Chunk, x.VectorSimilarity))))),
                    ("weighted fusion (RelevanceScorer)", c => Task.FromResult(Top(c.Candidates.Select(x => new Ranked(x.Chunk, RelevanceScorer.Score(c.Query.Text, x.Chunk.Content, x.VectorSimilarity, RelevanceProfile.MiniLm)))))),
                    ("reciprocal rank fusion (k 60)", c => Task.FromResult(Top(c.Candidates.Select(x => new Ranked(x.Chunk, Rrf(x)))))),
                    ($"second stage ({model.Name})", c => Task.FromResult(Top(PassageRanker.Rank(c.Query.Text, c.Candidates, model, RelevanceProfile.MiniLm).Select(x => new Ranked(x.Candidate.Chunk, x.Score))))),
                    ("shipped search (SearchService)", async c =>
                    {
                        var outcome = await search.SearchAsync(environment, new SearchRequest(c.Query.Text, TopK, 0, IndexFilter.None, false, null), default);
                        return [.. outcome.Hits.Select(h => new Ranked(h.Chunk, h.Score))];
                    }),
                };

                Console.WriteLine();
                Console.WriteLine($"## {variant}");
                foreach (var (split, isDev) in new[] { ("dev", true), ("test", false) })
                {
                    var ofSplit = cases.Where(c => c.Query.IsDev == isDev).ToList();
                    Console.WriteLine();
                    Console.WriteLine($"{split} ({ofSplit.Count} queries)");
                    Console.WriteLine($"| {"method",-40} | nDCG@10 | MRR@10 | Recall@10 | answer ≥ 0.7 | other-document results ≥ 0.7 |");
                    Console.WriteLine($"|{new string('-', 42)}|--------:|-------:|----------:|-------------:|-----------------------------:|");
                    foreach (var (name, rank) in rankers)
                    {
                        var measures = new List<Measures>();
                        foreach (var c in ofSplit)
                        {
                            measures.Add(Measure(await rank(c), c.Query.Document));
                        }

                        var calibrated = !name.StartsWith("BM25", StringComparison.Ordinal) && !name.StartsWith("vectors", StringComparison.Ordinal) && !name.StartsWith("reciprocal", StringComparison.Ordinal);
                        var kept = calibrated ? Percent(measures.Count(m => m.AnswerKept), measures.Count) : "–";
                        var other = calibrated ? Percent(measures.Sum(m => m.OtherPassing), measures.Sum(m => m.OtherResults)) : "–";
                        Console.WriteLine($"| {name,-40} | {measures.Average(m => m.Ndcg),7:F3} | {measures.Average(m => m.ReciprocalRank),6:F3} | {measures.Average(m => m.Recall),9:F3} | {kept,12} | {other,28} |");
                    }
                }

                await PrintNonsenseAsync(search, environment);
                PrintCurve(cases.Where(c => !c.Query.IsDev).ToList(), model);
            }

            return 0;
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    private static IReadOnlyList<Ranked> Top(IEnumerable<Ranked> ranked) =>
        [.. ranked.OrderByDescending(r => r.Score).ThenBy(r => r.Chunk.FileId).ThenBy(r => r.Chunk.ChunkIndex).Take(TopK)];

    private static double Rrf(IndexCandidate candidate) =>
        (candidate.TextRank is { } t ? 1.0 / (60 + t) : 0) + (candidate.VectorRank is { } v ? 1.0 / (60 + v) : 0);

    private static string Percent(int part, int whole) => whole == 0 ? "n/a" : $"{100.0 * part / whole:F1}% ({part}/{whole})";

    /// <summary>Parses, chunks, embeds and indexes every page as the ingestion pipeline does.</summary>
    private static async Task<List<IndexedChunk>> IngestAsync(
        PythonDocsCorpus.Corpus corpus, SqliteSearchIndex index, MiniLmEmbeddingGenerator embedder, EmbeddingCache cache, Guid environment, bool contextual)
    {
        var reader = new IngestionDocumentReader(DocumentExtractorRegistry.CreateDefault());
        await index.CreateAsync(environment, embedder.Info, default);
        var all = new List<IndexedChunk>();
        for (var f = 0; f < corpus.Documents.Count; f++)
        {
            var document = corpus.Documents[f];
            var parsed = await reader.ParseAsync(new MemoryStream(document.Html), "text/html", document.Name, default);
            var chunks = reader.Chunk(parsed, embedder, embedder.Info.MaxInputTokens, default);
            var vectors = await cache.EmbedAsync([.. chunks.Select(c => contextual ? ChunkContext.ForEmbedding(document.Name, c.HeadingPath, c.Text) : c.Text)]);
            var fileId = new Guid($"7e7a0000-0000-4000-a000-{f:D12}");
            var indexed = chunks.Select((c, i) => new IndexedChunk(
                new Guid($"7e7a{(contextual ? 1 : 0):D4}-{f:D4}-4000-b000-{i:D12}"), fileId, Folder, c.ChunkIndex, c.Text, c.PageNumber, c.StartPage, c.EndPage,
                c.TokenCount, c.HeadingPath, document.Name, "text/html", null, null, null, new Dictionary<string, string>(), vectors[i])).ToList();
            await index.ReplaceFileChunksAsync(environment, fileId, indexed, default);
            all.AddRange(indexed);
        }

        return all;
    }

    private static async Task<List<Case>> CasesAsync(PythonDocsCorpus.Corpus corpus, float[][] vectors, SqliteSearchIndex index, Guid environment)
    {
        var cases = new List<Case>();
        for (var q = 0; q < corpus.Queries.Count; q++)
        {
            var query = corpus.Queries[q];
            var candidates = await index.QueryAsync(environment, new IndexQuery(query.Text, vectors[q], IndexFilter.None, Pool), default);
            var text = await index.QueryAsync(environment, new IndexQuery(query.Text, ReadOnlyMemory<float>.Empty, IndexFilter.None, TopK), default);
            cases.Add(new Case(query, vectors[q], candidates, [.. text.Where(c => c.TextScore is not null).OrderByDescending(c => c.TextScore)]));
        }

        return cases;
    }

    /// <summary>Document-level nDCG@10, MRR@10 and Recall@10 (one answer page), and what min_score 0.7 keeps.</summary>
    private static Measures Measure(IReadOnlyList<Ranked> ranking, string answer)
    {
        var documents = ranking.Select(r => r.Chunk.FileName).Distinct(StringComparer.Ordinal).Take(TopK).ToList();
        var rank = documents.IndexOf(answer) + 1;
        var other = ranking.Where(r => r.Chunk.FileName != answer).ToList();
        return new Measures(
            rank == 0 ? 0 : 1 / Math.Log2(rank + 1),
            rank == 0 ? 0 : 1,
            rank == 0 ? 0 : 1.0 / rank,
            ranking.Any(r => r.Chunk.FileName == answer && r.Score >= MinScore),
            other.Count,
            other.Count(r => r.Score >= MinScore),
            ranking.Any(r => r.Score >= MinScore));
    }

    /// <summary>Strings of made-up syllables (seeded, so always the same): nothing in any corpus answers them.</summary>
    private static async Task PrintNonsenseAsync(SearchService search, Guid environment)
    {
        var random = new Random(20261203);
        const string consonants = "bdfgklmnprstvz";
        const string vowels = "aeiou";
        var returned = 0;
        const int count = 50;
        for (var i = 0; i < count; i++)
        {
            var words = Enumerable.Range(0, random.Next(2, 6)).Select(_ => string.Concat(Enumerable.Range(0, random.Next(2, 4))
                .Select(_ => $"{consonants[random.Next(consonants.Length)]}{vowels[random.Next(vowels.Length)]}")));
            var outcome = await search.SearchAsync(environment, new SearchRequest(string.Join(' ', words), TopK, MinScore, IndexFilter.None, false, null), default);
            returned += outcome.Hits.Count > 0 ? 1 : 0;
        }

        Console.WriteLine();
        Console.WriteLine($"nonsense queries returning anything at min_score {MinScore}: {returned}/{count}");
    }

    /// <summary>The score curve on test: for score cut-offs, the share of answers kept and of other-document top-10 results passing.</summary>
    private static void PrintCurve(List<Case> cases, RankerModel model)
    {
        var ranked = cases.Select(c => (c.Query.Document, Hits: Top(PassageRanker.Rank(c.Query.Text, c.Candidates, model, RelevanceProfile.MiniLm).Select(x => new Ranked(x.Candidate.Chunk, x.Score))))).ToList();
        Console.WriteLine();
        Console.WriteLine($"score cut-off on test ({model.Name}): answers kept / other-document top-10 results passing");
        foreach (var cut in new[] { 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9 })
        {
            var kept = ranked.Count(r => r.Hits.Any(h => h.Chunk.FileName == r.Document && h.Score >= cut));
            var others = ranked.SelectMany(r => r.Hits.Where(h => h.Chunk.FileName != r.Document)).ToList();
            Console.WriteLine($"  ≥ {cut:F1}: {Percent(kept, ranked.Count),-20} {Percent(others.Count(h => h.Score >= cut), others.Count)}");
        }
    }

    /// <summary>
    /// Fits the second stage on dev: labels are "candidate from the answer page"; 5-fold cross-validation over queries
    /// picks the L2 strength by MRR@10, then the model is refitted on all of dev and its threshold (the probability
    /// mapped to 0.7) chosen as the lowest that lets at most 5% of other-document top-10 results through on dev.
    /// </summary>
    private static RankerModel Train(List<Case> dev)
    {
        var rows = dev.Select(c => (Case: c, Features: PassageRanker.Features(c.Query.Text, c.Candidates, RelevanceProfile.MiniLm))).ToList();
        var folds = 5;
        var best = (Lambda: 0.0, Mrr: -1.0);
        foreach (var lambda in new[] { 0.01, 0.1, 1, 10, 100 })
        {
            var mrr = 0.0;
            for (var fold = 0; fold < folds; fold++)
            {
                var fit = rows.Where((_, i) => i % folds != fold).ToList();
                var (bias, weights) = LogisticRegression.Fit(
                    [.. fit.SelectMany(r => r.Features)],
                    [.. fit.SelectMany(r => r.Case.Candidates.Select(x => x.Chunk.FileName == r.Case.Query.Document))],
                    lambda);
                var model = new RankerModel("cv", bias, weights, 0.5);
                mrr += rows.Where((_, i) => i % folds == fold)
                    .Sum(r => Measure(Top(PassageRanker.Rank(r.Case.Query.Text, r.Case.Candidates, model, RelevanceProfile.MiniLm).Select(x => new Ranked(x.Candidate.Chunk, x.Score))), r.Case.Query.Document).ReciprocalRank);
            }

            mrr /= rows.Count;
            Console.WriteLine($"cross-validation on dev: L2 {lambda,6} → MRR@10 {mrr:F3}");
            if (mrr > best.Mrr + 1e-9)
            {
                best = (lambda, mrr);
            }
        }

        var (finalBias, finalWeights) = LogisticRegression.Fit(
            [.. rows.SelectMany(r => r.Features)],
            [.. rows.SelectMany(r => r.Case.Candidates.Select(x => x.Chunk.FileName == r.Case.Query.Document))],
            best.Lambda);
        var probabilities = rows.Select(r => (r.Case, P: r.Features.Select(f => new RankerModel("fit", finalBias, finalWeights, 0.5).Probability(f)).ToArray())).ToList();
        var other = probabilities.SelectMany(r => r.Case.Candidates.Select((c, i) => (c, p: r.P[i])).OrderByDescending(x => x.p).Take(TopK)
            .Where(x => x.c.Chunk.FileName != r.Case.Query.Document).Select(x => x.p)).OrderDescending().ToList();
        var threshold = other[(int)Math.Floor(other.Count * 0.05)];
        var fitted = new RankerModel($"fitted on dev, L2 {best.Lambda}", finalBias, finalWeights, threshold);
        Console.WriteLine($"threshold (probability at score 0.7) for ≤ 5% other-document results on dev: {threshold:F4}");
        Console.WriteLine("fitted model:");
        Console.WriteLine($"    new(\"{fitted.Name}\", {finalBias.ToString("R", CultureInfo.InvariantCulture)}, [{string.Join(", ", finalWeights.Select(w => w.ToString("R", CultureInfo.InvariantCulture)))}], {threshold.ToString("R", CultureInfo.InvariantCulture)})");
        for (var i = 0; i < finalWeights.Length; i++)
        {
            Console.WriteLine($"    {PassageRanker.FeatureNames[i],-22} {finalWeights[i],9:F3}");
        }

        return fitted;
    }
}
