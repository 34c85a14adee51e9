using System.Numerics.Tensors;
using Memic.Core.Search;
using Memic.Embedded.Embeddings;

namespace Memic.Benchmarks;

/// <summary>
/// <c>calibrate</c>: fits the logistic curve of <see cref="RelevanceProfile"/> for the embedded model on the labeled
/// query–passage pairs in bench/data/relevance-pairs.tsv (maximum likelihood, by gradient descent on the log loss),
/// then reports how the full <see cref="RelevanceScorer"/> separates relevant from unrelated pairs at 0.7.
/// </summary>
internal static class ScoreCalibration
{
    public static async Task<int> RunAsync(string[] args)
    {
        var path = args.Length > 0 ? args[0] : FindData("relevance-pairs.tsv");
        var pairs = File.ReadLines(path).Where(l => !l.StartsWith('#') && l.Length > 0)
            .Select(l => l.Split('\t')).Select(p => (Relevant: p[0] == "1", Query: p[1], Passage: p[2])).ToList();

        using var embedder = new MiniLmEmbeddingGenerator();
        var queries = await embedder.GenerateAsync(pairs.Select(p => p.Query));
        var passages = await embedder.GenerateAsync(pairs.Select(p => p.Passage));
        var cosines = pairs.Select((_, i) => (double)TensorPrimitives.CosineSimilarity(queries[i].Vector.Span, passages[i].Vector.Span)).ToArray();

        // These pairs separate cleanly, so the free maximum-likelihood slope grows without bound; the slope is fixed
        // at a value that spreads relevant scores over 0.8–1.0, and the midpoint is fitted for it.
        const double steepness = 15;
        var midpoint = FitMidpoint(cosines, pairs.Select(p => p.Relevant).ToArray(), steepness);
        Console.WriteLine($"pairs: {pairs.Count} ({pairs.Count(p => p.Relevant)} relevant), model {embedder.Info.ModelId}");
        Console.WriteLine($"cosine, relevant:  min {Min(cosines, pairs, true):F3}  mean {Mean(cosines, pairs, true):F3}");
        Console.WriteLine($"cosine, unrelated: max {Max(cosines, pairs, false):F3}  mean {Mean(cosines, pairs, false):F3}");
        Console.WriteLine($"fitted: Midpoint = {midpoint:F3}, Steepness = {steepness:F2}");

        foreach (var (name, profile) in new[] { ("shipped", RelevanceProfile.MiniLm), ("fitted", new RelevanceProfile("fitted", midpoint, steepness)) })
        {
            var scores = pairs.Select((p, i) => RelevanceScorer.Score(p.Query, p.Passage, cosines[i], profile)).ToArray();
            var truePositive = pairs.Where((p, i) => p.Relevant && scores[i] >= 0.7).Count();
            var falsePositive = pairs.Where((p, i) => !p.Relevant && scores[i] >= 0.7).Count();
            Console.WriteLine($"{name,-8} profile ({profile.Midpoint:F3}, {profile.Steepness:F2}): relevant kept at 0.7: {truePositive}/{pairs.Count(p => p.Relevant)}, unrelated kept: {falsePositive}/{pairs.Count(p => !p.Relevant)}");
            foreach (var miss in pairs.Select((p, i) => (p, i)).Where(x => x.p.Relevant == (scores[x.i] < 0.7)))
            {
                Console.WriteLine($"    {(miss.p.Relevant ? "missed" : "false+")} score {scores[miss.i]:F2} cos {cosines[miss.i]:F2}: {miss.p.Query}");
            }
        }

        return 0;
    }

    /// <summary>Maximum-likelihood midpoint m of p = σ(k·(x − m)) for a fixed slope k, by gradient descent on the log loss.</summary>
    private static double FitMidpoint(double[] x, bool[] y, double steepness)
    {
        var midpoint = 0.5;
        for (var iteration = 0; iteration < 20_000; iteration++)
        {
            double gradient = 0;
            for (var i = 0; i < x.Length; i++)
            {
                var p = 1 / (1 + Math.Exp(-steepness * (x[i] - midpoint)));
                gradient += (p - (y[i] ? 1 : 0)) * -steepness;
            }

            midpoint -= 0.01 * gradient / x.Length;
        }

        return midpoint;
    }

    private static double Min(double[] c, List<(bool Relevant, string Query, string Passage)> p, bool relevant) => c.Where((_, i) => p[i].Relevant == relevant).Min();

    private static double Max(double[] c, List<(bool Relevant, string Query, string Passage)> p, bool relevant) => c.Where((_, i) => p[i].Relevant == relevant).Max();

    private static double Mean(double[] c, List<(bool Relevant, string Query, string Passage)> p, bool relevant) => c.Where((_, i) => p[i].Relevant == relevant).Average();

    internal static string FindData(string name)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "bench", "data", name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"bench/data/{name} not found above {AppContext.BaseDirectory}");
    }
}
