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
/// prints it as C# for <see cref="PassageRanker"/>; <c>--contextual</c> also measures contextual chunk text (file name and
/// heading path embedded with each chunk, <see cref="ChunkContext"/>), which the product does not ship (it did not help).
/// </summary>
internal static class RelevanceReal
{
    private const int TopK = 10;
    private const int HarnessWeight = 5;
    /// <summary>Candidates of the hybrid index query the second stage ranks: as the shipped search asks, unless <c>--pool N</c>.</summary>
    private static int Pool = SearchService.MinimumCandidates;
    private const double MinScore = 0.7;
    private static readonly bool Gapped = System.Environment.GetEnvironmentVariable("MEMIC_BENCH_NO_GAP") is null;
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
        var pool = Array.IndexOf(args, "--pool");
        Pool = pool >= 0 && pool + 1 < args.Length ? int.Parse(args[pool + 1], CultureInfo.InvariantCulture) : Pool;
        var withContextual = args.Contains("--contextual");
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
            var chunks = await IngestAsync(corpus, index, embedder, cache, Plain, contextual: false);
            if (withContextual)
            {
                await IngestAsync(corpus, index, embedder, cache, Contextual, contextual: true);
            }

            var queryVectors = await cache.EmbedAsync([.. corpus.Queries.Select(q => q.Text)]);
            var dev = corpus.Queries.Count(q => q.IsDev);
            Console.WriteLine($"corpus: {corpus.Documents.Count} pages of {PythonDocsCorpus.LibraryDirectory} ({PythonDocsCorpus.Package}), {chunks.Count} chunks " +
                              $"({chunks.Average(c => c.TokenCount):F0} MiniLM tokens avg); queries: {corpus.Queries.Count} ({dev} dev, {corpus.Queries.Count - dev} test); " +
                              $"ingested in {(DateTimeOffset.UtcNow - started).TotalSeconds:F0} s");
            Console.WriteLine($"machine: {BenchSupport.Machine()}; load average {BenchSupport.LoadAverage()}; {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC");

            using var usage = BenchSupport.DiscardedUsage();
            var search = new SearchService(index, embedder, embedder, usage, BenchSupport.NoQuotas(usage), Microsoft.Extensions.Options.Options.Create(new Memic.Core.Embeddings.EmbeddingModelOptions()), TimeProvider.System);

            // The hand-written harness of retrieval-quality, as a second corpus: its single-answer queries split by hash too.
            var harnessData = BenchSupport.FindDataDirectory("retrieval");
            await RetrievalQuality.IngestAsync(Path.Combine(harnessData, "corpus"), index, embedder);
            var harnessQueries = RetrievalQuality.ReadQueries(Path.Combine(harnessData, "queries.tsv")).Where(q => q.Relevant.Count == 1)
                .Select(q => new PythonDocsCorpus.Query(q.Text, q.FirstRelevant, q.Type, PythonDocsCorpus.IsDevKey(q.Text))).ToList();
            var harness = await CasesAsync(new PythonDocsCorpus.Corpus([], harnessQueries), await cache.EmbedAsync([.. harnessQueries.Select(q => q.Text)]), index, RetrievalQuality.Environment);

            var nonsense = Nonsense(seed: 7, count: 100);
            var nonsenseCases = await CasesAsync(new PythonDocsCorpus.Corpus([], [.. nonsense.Select(n => new PythonDocsCorpus.Query(n, "", "", true))]),
                await cache.EmbedAsync(nonsense), index, Plain);
            var cases = await CasesAsync(corpus, queryVectors, index, Plain);
            // The harness's paraphrases are the everyday questions the Python entries lack, but it has a seventh of the
            // queries: its dev queries count five times so the model does not learn to ignore meaning for words.
            var harnessDev = harness.Where(c => c.Query.IsDev).ToList();
            var model = train
                ? Train([.. cases.Where(c => c.Query.IsDev)], [.. Enumerable.Repeat(harnessDev, HarnessWeight).SelectMany(h => h)], nonsenseCases)
                : PassageRanker.Model;

            if (args.Contains("--floors"))
            {
                foreach (var floor in new[] { 1.0, 0.95, 0.9, 0.85, 0.8, 0.75, 0.7 })
                {
                    var floored = model with { SemanticFloor = floor };
                    foreach (var (name, ofCorpus) in new[] { ("python", cases), ("harness", harness) })
                    {
                        var measures = ofCorpus.Where(c => !c.Query.IsDev)
                            .Select(c => Measure(Top(PassageRanker.Rank(c.Query.Text, c.Candidates, floored, RelevanceProfile.MiniLm).Select(x => new Ranked(x.Candidate.Chunk, x.Score))), c.Query.Document)).ToList();
                        var devMeasures = ofCorpus.Where(c => c.Query.IsDev)
                            .Select(c => Measure(Top(PassageRanker.Rank(c.Query.Text, c.Candidates, floored, RelevanceProfile.MiniLm).Select(x => new Ranked(x.Candidate.Chunk, x.Score))), c.Query.Document)).ToList();
                        Console.WriteLine($"semantic floor {floor} {name}: dev kept {Percent(devMeasures.Count(m => m.AnswerKept), devMeasures.Count)} other {Percent(devMeasures.Sum(m => m.OtherPassing), devMeasures.Sum(m => m.OtherResults))}; " +
                                          $"test kept {Percent(measures.Count(m => m.AnswerKept), measures.Count)} other {Percent(measures.Sum(m => m.OtherPassing), measures.Sum(m => m.OtherResults))} MRR {measures.Average(m => m.ReciprocalRank):F3}");
                    }
                }

                var nonsenseTop = nonsenseCases.Max(c => c.Candidates.Max(x => RelevanceScorer.Semantic(x.VectorSimilarity, RelevanceProfile.MiniLm)));
                Console.WriteLine($"highest semantic value of any nonsense candidate (training nonsense): {nonsenseTop:F3}");
                return 0;
            }

            await ReportAsync("Python library reference (python3.11-doc)", cases, model, search, Plain);
            PrintCost(cases, model);
            await PrintNonsenseAsync(search, Plain);
            PrintCurve(cases.Where(c => !c.Query.IsDev).ToList(), model);
            await ReportAsync("hand-written harness (bench/data/retrieval, single-answer queries)", harness, model, search, RetrievalQuality.Environment);
            PrintCurve(harness.Where(c => !c.Query.IsDev).ToList(), model);
            if (withContextual)
            {
                await ReportAsync("Python library reference, contextual chunk text", await CasesAsync(corpus, queryVectors, index, Contextual), model, search, Contextual);
            }

            return 0;
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    private static async Task ReportAsync(string title, List<Case> cases, RankerModel model, SearchService search, Guid environment)
    {
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
        Console.WriteLine($"## {title}");
        foreach (var (split, isDev) in new[] { ("dev", true), ("test", false) })
        {
            var ofSplit = cases.Where(c => c.Query.IsDev == isDev).ToList();
            var pooled = ofSplit.Count(c => c.Candidates.Any(x => x.Chunk.FileName == c.Query.Document));
            Console.WriteLine();
            Console.WriteLine($"{split} ({ofSplit.Count} queries; answer page among the second stage's candidates: {Percent(pooled, ofSplit.Count)})");
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
    private static List<string> Nonsense(int seed, int count)
    {
        var random = new Random(seed);
        const string consonants = "bdfgklmnprstvz";
        const string vowels = "aeiou";
        return
        [
            .. Enumerable.Range(0, count).Select(_ => string.Join(' ', Enumerable.Range(0, random.Next(2, 6)).Select(_ => string.Concat(Enumerable.Range(0, random.Next(2, 4))
                .Select(_ => $"{consonants[random.Next(consonants.Length)]}{vowels[random.Next(vowels.Length)]}"))))),
        ];
    }

    /// <summary>
    /// What the second stage costs per query over the same candidates the shipped search ranks (up to 50 full-text and
    /// 50 vector ones): wall time and this process's processor time, the latter less sensitive to other processes.
    /// </summary>
    private static void PrintCost(List<Case> cases, RankerModel model)
    {
        foreach (var c in cases.Take(50))
        {
            PassageRanker.Rank(c.Query.Text, c.Candidates, model, RelevanceProfile.MiniLm);
        }

        using var process = System.Diagnostics.Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        const int rounds = 3;
        for (var round = 0; round < rounds; round++)
        {
            foreach (var c in cases)
            {
                PassageRanker.Rank(c.Query.Text, c.Candidates, model, RelevanceProfile.MiniLm);
            }
        }

        var count = rounds * cases.Count;
        var wall = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds / count;
        process.Refresh();
        var used = (process.TotalProcessorTime - cpu).TotalMilliseconds / count;
        Console.WriteLine();
        Console.WriteLine($"second stage cost: {wall:F2} ms wall, {used:F2} ms processor per query over {cases.Average(c => c.Candidates.Count):F0} candidates on average " +
                          $"(load average {BenchSupport.LoadAverage()})");
    }

    /// <summary>Nonsense other than the ones training saw (another seed).</summary>
    private static async Task PrintNonsenseAsync(SearchService search, Guid environment)
    {
        var queries = Nonsense(seed: 20261203, count: 50);
        var returned = 0;
        foreach (var query in queries)
        {
            var outcome = await search.SearchAsync(environment, new SearchRequest(query, TopK, MinScore, IndexFilter.None, false, null), default);
            returned += outcome.Hits.Count > 0 ? 1 : 0;
        }

        Console.WriteLine();
        Console.WriteLine($"nonsense queries returning anything at min_score {MinScore}: {returned}/{queries.Count}");
    }

    /// <summary>The score curve on test: for score cut-offs, the share of answers kept and of other-document top-10 results passing.</summary>
    private static void PrintCurve(List<Case> cases, RankerModel model)
    {
        var ranked = cases.Select(c => (c.Query.Document, Hits: Top(PassageRanker.Rank(c.Query.Text, c.Candidates, model, RelevanceProfile.MiniLm).Select(x => new Ranked(x.Candidate.Chunk, x.Score))))).ToList();
        Console.WriteLine();
        Console.WriteLine($"score cut-off on test ({model.Name}): answers kept / other-document top-10 results passing");
        var others = ranked.SelectMany(r => r.Hits.Where(h => h.Chunk.FileName != r.Document)).ToList();
        foreach (var cut in new[] { 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9 })
        {
            var kept = ranked.Count(r => r.Hits.Any(h => h.Chunk.FileName == r.Document && h.Score >= cut));
            Console.WriteLine($"  ≥ {cut:F1}: {Percent(kept, ranked.Count),-20} {Percent(others.Count(h => h.Score >= cut), others.Count)}");
        }

        // Whatever the scores, keeping a query's answer keeps every other-document result ranked above it: keeping 90% of
        // answers lets through at least the other-document results above the answers of the 90% best-ranked queries.
        var above = ranked.Select(r => r.Hits.TakeWhile(h => h.Chunk.FileName != r.Document).Count() is var n && n < r.Hits.Count ? n : int.MaxValue)
            .Order().ToList();
        var needed = (int)Math.Ceiling(0.9 * ranked.Count);
        var bound = above.Take(needed).Any(n => n == int.MaxValue) ? "unreachable (answers missing from the top 10)" : Percent(above.Take(needed).Sum(), others.Count);
        Console.WriteLine($"  fewest other-document results passing with 90% of answers kept, for this ranking: {bound}");
        // What a cut blind to the query achieves: the first n results of every query pass, whatever they are. Keeping more
        // answers at fewer other pages' results than these needs scores that tell, query by query, whether the first
        // result is right, which is what ranking it first already tried to do.
        foreach (var n in new[] { 1, 2, 3 })
        {
            var kept = ranked.Count(r => r.Hits.Take(n).Any(h => h.Chunk.FileName == r.Document));
            var passing = ranked.Sum(r => r.Hits.Take(n).Count(h => h.Chunk.FileName != r.Document));
            Console.WriteLine($"  the first {n} result(s) of every query passing: {Percent(kept, ranked.Count)} of answers, {Percent(passing, others.Count)} of other-document results");
        }
    }

    /// <summary>
    /// Fits the second stage on dev in two steps. Ranking: a linear model over the features, fitted pairwise (logistic
    /// loss on feature differences between a chunk of the answer page and one of another page, as RankNet does with a
    /// linear scorer); 5-fold cross-validation over queries picks the L2 strength by MRR@10. Calibration: a logistic
    /// curve of that linear score and its gap to the query's best (<see cref="RankerModel.GapWeight"/>) fitted pointwise
    /// (Platt scaling) on every dev candidate, "from the answer page" as the label, so same-topic wrong pages are the
    /// negatives it learns from. The same-document penalty is the one with the best dev MRR@10 whose dev Recall@10 is
    /// at least BM25's; the threshold (the probability mapped to 0.7) is the lowest that lets at most 5% of
    /// other-document top-10 results through on the Python dev queries with the shipped semantic floor in place.
    /// </summary>
    private static RankerModel Train(List<Case> pythonDev, List<Case> harnessDev, List<Case> nonsenseCases)
    {
        var rows = pythonDev.Concat(harnessDev).Select(c => (Case: c, Features: PassageRanker.Features(c.Query.Text, c.Candidates, RelevanceProfile.MiniLm))).ToList();
        const int folds = 5;
        var best = (Lambda: 0.0, Mrr: -1.0);
        foreach (var lambda in new[] { 0.1, 1, 10, 100, 1000 })
        {
            var mrr = 0.0;
            for (var fold = 0; fold < folds; fold++)
            {
                var weights = FitPairwise([.. rows.Where((_, i) => i % folds != fold)], lambda);
                var model = new RankerModel("cv", 0, weights, 0.5);
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

        var ranking = FitPairwise(rows, best.Lambda);
        // Nonsense queries join the calibration as negatives only: their best candidate must not look relevant.
        var nonsenseRows = nonsenseCases.Select(c => (Case: c, Features: PassageRanker.Features(c.Query.Text, c.Candidates, RelevanceProfile.MiniLm))).ToList();
        // Calibration over two inputs per candidate: its linear score s and s minus the best s of its query (query-level
        // confidence), "from the answer page" as the label.
        var linear = new List<double[]>();
        foreach (var row in rows.Concat(nonsenseRows))
        {
            var scores = row.Features.Select(f => f.Zip(ranking, (x, w) => x * w).Sum()).ToArray();
            var top = scores.Length == 0 ? 0 : scores.Max();
            linear.AddRange(scores.Select(s => new[] { s, s - top }));
        }

        var labels = rows.Concat(nonsenseRows).SelectMany(r => r.Case.Candidates.Select(x => x.Chunk.FileName == r.Case.Query.Document)).ToList();
        var (bias, slope) = LogisticRegression.Fit(linear, labels, 0);
        var gapWeight = Gapped ? slope[1] / slope[0] : 0;
        if (!Gapped)
        {
            (bias, slope) = LogisticRegression.Fit([.. linear.Select(l => new[] { l[0] })], labels, 0);
        }

        var calibrated = new RankerModel("fit", bias, [.. ranking.Select(w => w * slope[0])], 0.5, GapWeight: gapWeight);
        Console.WriteLine($"calibration: slope {slope[0]:F3}, gap weight {gapWeight:F3}");
        // The penalty for further passages of one file: the one with the best dev MRR@10 among those whose dev Recall@10
        // is at least BM25's (the measures are document-level, so a page's near-duplicates must not push other pages
        // out of the top 10).
        var bm25Recall = rows.Average(r => Measure(r.Case.Text.Select(x => new Ranked(x.Chunk, x.TextScore!.Value)).ToList(), r.Case.Query.Document).Recall);
        var fitted = calibrated with { Name = $"pairwise, L2 {best.Lambda}" };
        var chosen = (Penalty: 0.0, Mrr: -1.0, Recall: -1.0);
        foreach (var value in new[] { 0.0, 0.05, 0.1, 0.2, 0.3, 0.5 })
        {
            var candidate = fitted with { SameDocumentPenalty = value, Threshold = 0.9 };
            var measures = rows.Select(r => Measure(Top(PassageRanker.Rank(r.Case.Query.Text, r.Case.Candidates, candidate, RelevanceProfile.MiniLm).Select(x => new Ranked(x.Candidate.Chunk, x.Score))), r.Case.Query.Document)).ToList();
            var (mrr, recall) = (measures.Average(m => m.ReciprocalRank), measures.Average(m => m.Recall));
            Console.WriteLine($"same-document penalty {value}: dev MRR@10 {mrr:F3}, Recall@10 {recall:F3} (BM25 {bm25Recall:F3})");
            var meets = recall >= bm25Recall - 1e-9;
            var chosenMeets = chosen.Recall >= bm25Recall - 1e-9;
            if ((meets && (!chosenMeets || mrr > chosen.Mrr + 1e-9)) || (!meets && !chosenMeets && recall > chosen.Recall + 1e-9))
            {
                chosen = (value, mrr, recall);
            }
        }

        // The shipped semantic floor lifts some passages to 0.7 whatever the model says: the threshold is set with it in
        // place, on the Python dev queries (the issue's target is on the real documents).
        fitted = fitted with { SameDocumentPenalty = chosen.Penalty, SemanticFloor = PassageRanker.Model.SemanticFloor };
        double low = 0.3, high = 0.999;
        for (var iteration = 0; iteration < 14; iteration++)
        {
            var middle = (low + high) / 2;
            var trial = fitted with { Threshold = middle };
            var measures = pythonDev.Select(c => Measure(Top(PassageRanker.Rank(c.Query.Text, c.Candidates, trial, RelevanceProfile.MiniLm).Select(x => new Ranked(x.Candidate.Chunk, x.Score))), c.Query.Document)).ToList();
            var share = measures.Sum(m => m.OtherPassing) / (double)Math.Max(1, measures.Sum(m => m.OtherResults));
            (low, high) = share <= 0.05 ? (low, middle) : (middle, high);
        }

        var threshold = Math.Max(high, nonsenseCases.Max(c => PassageRanker.Rank(c.Query.Text, c.Candidates, fitted, RelevanceProfile.MiniLm).Max(x => x.Probability)) + 1e-4);
        fitted = fitted with { Threshold = threshold };
        Console.WriteLine($"threshold (probability at score 0.7) for ≤ 5% other-document results on dev: {threshold:F4}");
        static string R(double value) => value.ToString("R", CultureInfo.InvariantCulture);
        Console.WriteLine("fitted model:");
        Console.WriteLine($"    new(\"{fitted.Name}\", {R(fitted.Bias)}, [{string.Join(", ", fitted.Weights.Select(R))}], {R(threshold)}, {R(fitted.SameDocumentPenalty)}, SemanticFloor: {R(fitted.SemanticFloor)}, GapWeight: {R(fitted.GapWeight)})");
        for (var i = 0; i < fitted.Weights.Count; i++)
        {
            Console.WriteLine($"    {PassageRanker.FeatureNames[i],-22} {fitted.Weights[i],9:F3}");
        }

        return fitted;
    }

    /// <summary>Pairwise logistic ranking weights: every answer-page chunk against every other-page chunk of a query, both orders.</summary>
    private static double[] FitPairwise(List<(Case Case, double[][] Features)> rows, double lambda)
    {
        var x = new List<double[]>();
        var y = new List<bool>();
        foreach (var (c, features) in rows)
        {
            var positive = c.Candidates.Select((x, i) => (x, i)).Where(p => p.x.Chunk.FileName == c.Query.Document).Select(p => p.i).ToList();
            var negative = c.Candidates.Select((x, i) => (x, i)).Where(p => p.x.Chunk.FileName != c.Query.Document).Select(p => p.i).ToList();
            // Each query weighs the same whatever its number of pairs: a stride keeps at most ~60 pairs.
            var pairs = positive.SelectMany(p => negative.Select(n => (p, n))).ToList();
            var stride = Math.Max(1, pairs.Count / 60);
            for (var k = 0; k < pairs.Count; k += stride)
            {
                var (p, n) = pairs[k];
                var difference = features[p].Zip(features[n], (a, b) => a - b).ToArray();
                x.Add(difference);
                y.Add(true);
                x.Add([.. difference.Select(d => -d)]);
                y.Add(false);
            }
        }

        return LogisticRegression.Fit(x, y, lambda).Weights;
    }
}
