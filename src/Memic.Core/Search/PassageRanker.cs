using System.Text;

namespace Memic.Core.Search;

/// <summary>
/// A logistic-regression second stage: <c>P(relevant) = σ(Bias + Σ Weights[i] · feature[i])</c> over the features of
/// <see cref="PassageRanker.Features"/>, fitted by <c>dotnet run -c Release --project bench/Memic.Benchmarks -- relevance-real --train</c>
/// on the dev split of the real-document evaluation (docs/benchmarks.md). <see cref="Threshold"/> is the probability
/// that maps to the score 0.7 (the SDK's default <c>min_score</c>).
/// </summary>
/// <param name="SameDocumentPenalty">
/// Taken off the score of a passage for each passage of the same file ranked above it, so one long document does not
/// fill the top k with its near-duplicates while another document's best passage waits below; it never reorders the
/// passages of one file among themselves.
/// </param>
/// <param name="SemanticFloor">
/// The query's nearest passage by meaning, when its similarity through the embedding model's curve reaches this, is
/// relevant whatever its words: it scores at least 0.7. Paraphrases share few words with their answer, and a model
/// fitted mostly on reference pages learns to trust words. Only the nearest: lifting every passage above the floor
/// let a third of the other pages' results through on the Python reference (docs/benchmarks.md). 1 turns it off.
/// </param>
/// <param name="GapWeight">
/// Query-level confidence: the probability also weighs how far a candidate's linear score <c>s</c> lies below the best
/// candidate's of the same query, <c>P = σ(Bias + s + GapWeight · (s − max s))</c>. The best candidate is judged on
/// its own evidence; the others lose by their distance to it, so a wrong page close behind a clear answer drops under
/// the threshold while a weak best match is not lifted (a lead over the runner-up was tried as the reference instead:
/// it lifts the lone best match of a nonsense query, and kept no more answers at the same share of wrong pages).
/// </param>
public sealed record RankerModel(
    string Name, double Bias, IReadOnlyList<double> Weights, double Threshold, double SameDocumentPenalty = 0, double SemanticFloor = 1, double GapWeight = 0)
{
    /// <summary>The linear score <c>s</c>: the weighted features without the bias.</summary>
    public double Linear(ReadOnlySpan<double> features)
    {
        var z = 0.0;
        for (var i = 0; i < features.Length; i++)
        {
            z += Weights[i] * features[i];
        }

        return z;
    }

    /// <summary>The probability of a candidate of linear score <paramref name="linear"/> when the query's best is <paramref name="bestLinear"/>.</summary>
    public double Probability(double linear, double bestLinear) => 1 / (1 + Math.Exp(-(Bias + linear + GapWeight * (linear - bestLinear))));

    /// <summary>The probability of a candidate judged alone (as the best of its query).</summary>
    public double Probability(ReadOnlySpan<double> features) => Probability(Linear(features), Linear(features));
}

/// <summary>
/// Re-ranks the candidates retrieval found (full-text and vector, top ~50) by what each says about the query, and gives
/// each the calibrated 0–1 score of CONTRACT §6. Every feature is computed from the query, the candidate's text,
/// heading path and file name, its cosine similarity and its place among the other candidates, never from a backend's
/// raw score scale, so the embedded index and Azure AI Search are ranked by the same model.
/// </summary>
public static class PassageRanker
{
    /// <summary>Feature names in the order of <see cref="Features"/> (and of <see cref="RankerModel.Weights"/>).</summary>
    public static IReadOnlyList<string> FeatureNames { get; } =
    [
        "semantic", "cosine_gap", "bm25_relative", "text_rank", "vector_rank", "coverage", "title_coverage", "proximity",
        "bigrams", "quote", "document_best_other", "document_share", "no_text_match", "rank_fusion", "document_text_best_other",
    ];

    /// <summary>
    /// The shipped model, fitted on the dev splits of <c>relevance-real</c> (296 queries over 198 pages of the Python
    /// library reference, 3,650 chunks, and 43 of the hand-written harness counted five times; docs/benchmarks.md) by
    /// <c>dotnet run -c Release --project bench/Memic.Benchmarks -- relevance-real --train</c>, which prints this line.
    /// </summary>
    public static RankerModel Model { get; } =
        new("pairwise, L2 1000", -5.900162627104874, [0.39660802615878205, 2.3663957300558818, 0.8904196403707773, 1.5202038258536563, 0.7387426114857291, 0.33945818237713415, 0.8868813595101324, 0.040150843966426285, 1.607247606059146, 0.6221943987732906, 5.605052417366007, -2.0503548069294997, 0.1795873756908755, 0.8701601401111809, 3.11911957870168], 0.8517253417968749, 0.5, SemanticFloor: 0.85, GapWeight: 0.3123152030592435);

    /// <summary>A candidate with the model's probability and the calibrated score it maps to.</summary>
    public sealed record Scored(IndexCandidate Candidate, double Probability, double Score);

    /// <summary>
    /// Scores every candidate, best first. The probability maps to the score piecewise linearly so that the model's
    /// threshold lands on 0.7: below it [0, 0.7), above it [0.7, 0.9). A passage that quotes the query (at least four
    /// words, in order) scores in [0.9, 1], above every other.
    /// </summary>
    public static IReadOnlyList<Scored> Rank(string query, IReadOnlyList<IndexCandidate> candidates, RankerModel model, RelevanceProfile profile)
    {
        var features = Features(query, candidates, profile);
        var linear = features.Select(f => model.Linear(f)).ToArray();
        var best = linear.Length == 0 ? 0 : linear.Max();
        var scored = new Scored[candidates.Count];
        for (var i = 0; i < candidates.Count; i++)
        {
            var p = model.Probability(linear[i], best);
            var score = p < model.Threshold
                ? RelevantFloor * p / model.Threshold
                : RelevantFloor + (QuoteFloor - RelevantFloor) * NonQuoteCeiling * (p - model.Threshold) / (1 - model.Threshold);
            var semantic = features[i][0];
            if (semantic >= model.SemanticFloor && score < RelevantFloor && features[i][VectorRankFeature] >= 1)
            {
                score = RelevantFloor + (QuoteFloor - RelevantFloor) * NonQuoteCeiling * (semantic - model.SemanticFloor) / Math.Max(1e-9, 1 - model.SemanticFloor) * 0.5;
            }

            if (features[i][QuoteFeature] > 0)
            {
                score = QuoteFloor + (1 - QuoteFloor) * p;
            }

            scored[i] = new Scored(candidates[i], p, score);
        }

        var ordered = scored.OrderByDescending(s => s.Score).ThenBy(s => s.Candidate.Chunk.FileId).ThenBy(s => s.Candidate.Chunk.ChunkIndex).ToList();
        return model.SameDocumentPenalty > 0 ? Diversify(ordered, model.SameDocumentPenalty) : ordered;
    }

    /// <summary>Greedy: the next passage is the best once each is lowered by the penalty for every passage of its file already taken.</summary>
    private static List<Scored> Diversify(List<Scored> ordered, double penalty)
    {
        var taken = new Dictionary<Guid, int>();
        var result = new List<Scored>(ordered.Count);
        var remaining = new List<Scored>(ordered);
        while (remaining.Count > 0)
        {
            var best = 0;
            var bestScore = double.MinValue;
            for (var i = 0; i < remaining.Count; i++)
            {
                var adjusted = remaining[i].Score - penalty * taken.GetValueOrDefault(remaining[i].Candidate.Chunk.FileId);
                if (adjusted > bestScore + 1e-12)
                {
                    (best, bestScore) = (i, adjusted);
                }
            }

            var next = remaining[best];
            remaining.RemoveAt(best);
            taken[next.Candidate.Chunk.FileId] = taken.GetValueOrDefault(next.Candidate.Chunk.FileId) + 1;
            result.Add(next with { Score = Math.Max(0, bestScore) });
        }

        return result;
    }

    /// <summary>
    /// Ranks by a backend's own second stage (Azure AI Search's semantic ranker: 0 irrelevant … 4 answers the query
    /// completely), mapped through <c>σ(<see cref="RerankerSteepness"/> · (r − <see cref="RerankerMidpoint"/>))</c>: 2.5,
    /// between "somewhat relevant" and "relevant", is the 0.7 of <c>min_score</c>. Quotes keep the top band. Candidates
    /// the ranker did not reach (beyond its top 50) rank below those it did.
    /// </summary>
    public static IReadOnlyList<Scored> RankByReranker(string query, IReadOnlyList<IndexCandidate> candidates)
    {
        var phrase = Phrase(query);
        return
        [
            .. candidates.Select(c =>
                {
                    var p = c.RerankerScore is { } r ? 1 / (1 + Math.Exp(-RerankerSteepness * (r - RerankerMidpoint))) : 0;
                    var score = phrase is not null && Holds(c.Chunk.Content, phrase)
                        ? QuoteFloor + (1 - QuoteFloor) * p
                        : Math.Min(p, QuoteFloor * NonQuoteCeiling);
                    return new Scored(c, p, score);
                })
                .OrderByDescending(s => s.Score)
                .ThenBy(s => s.Candidate.Chunk.FileId)
                .ThenBy(s => s.Candidate.Chunk.ChunkIndex),
        ];
    }

    /// <summary>Not fitted here (no Azure access from this workplace): set from the ranker's documented 0–4 scale.</summary>
    private const double RerankerMidpoint = 2.0;
    private const double RerankerSteepness = 1.7;

    private const double RelevantFloor = 0.7;
    private const double QuoteFloor = 0.9;
    private const double NonQuoteCeiling = 0.999;
    private const int QuoteFeature = 9;
    private const int VectorRankFeature = 4;

    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "how", "i", "in", "is", "it", "its",
        "of", "on", "or", "that", "the", "this", "to", "was", "were", "what", "when", "where", "which", "who", "why", "will",
        "with", "do", "does", "did", "can", "my", "our", "your", "we", "you", "me", "about", "there", "their", "they",
        "if", "not", "no", "all", "any", "but", "so", "than", "then", "these", "those", "into", "been", "being", "should",
        "would", "could", "may", "also", "only", "other", "such", "each", "one",
    };

    /// <summary>
    /// The features of every candidate, one row each in candidate order. The similarity enters through the embedding
    /// model's own curve (<paramref name="profile"/>), so one ranker serves models with different cosine ranges. Text
    /// features use lower-cased words with plurals forgiven; "title" is the file name plus the heading path.
    /// </summary>
    public static double[][] Features(string query, IReadOnlyList<IndexCandidate> candidates, RelevanceProfile profile)
    {
        var queryWords = RelevanceScorer.Words(query);
        var content = queryWords.Where(w => !StopWords.Contains(w)).Select(Stem).Distinct(StringComparer.Ordinal).ToList();
        var bigrams = Bigrams(queryWords.Where(w => !StopWords.Contains(w)).Select(Stem).ToList());
        var phrase = Phrase(query);

        var maxCosine = candidates.Count == 0 ? 0 : candidates.Max(c => c.VectorSimilarity);
        var maxText = candidates.Max(c => c.TextScore) ?? 0;
        var vectorRanks = candidates.Select((c, i) => (c.VectorSimilarity, i)).OrderByDescending(x => x.VectorSimilarity).ThenBy(x => x.i)
            .Select((x, rank) => (x.i, rank)).ToDictionary(x => x.i, x => x.rank + 1);
        var byFile = candidates.Select((c, i) => (c, i)).GroupBy(x => x.c.Chunk.FileId)
            .ToDictionary(g => g.Key, g => g.Select(x => x.c.VectorSimilarity).OrderDescending().ToArray());
        var textByFile = candidates.GroupBy(c => c.Chunk.FileId)
            .ToDictionary(g => g.Key, g => g.Select(c => c.TextScore is { } t && maxText > 0 ? t / maxText : 0).OrderDescending().ToArray());

        var rows = new double[candidates.Count][];
        for (var i = 0; i < candidates.Count; i++)
        {
            var candidate = candidates[i];
            var passageWords = RelevanceScorer.Words(candidate.Chunk.Content);
            var stems = passageWords.Select(Stem).ToList();
            var stemSet = new HashSet<string>(stems, StringComparer.Ordinal);
            var titleSet = new HashSet<string>(
                RelevanceScorer.Words(candidate.Chunk.FileName + " " + string.Join(' ', candidate.Chunk.HeadingPath)).Select(Stem), StringComparer.Ordinal);
            var covered = content.Where(stemSet.Contains).ToList();
            var fileCosines = byFile[candidate.Chunk.FileId];
            var bestOther = fileCosines.Length > 1 ? (fileCosines[0] == candidate.VectorSimilarity ? fileCosines[1] : fileCosines[0]) : 0;
            var textRelative = candidate.TextScore is { } text && maxText > 0 ? text / maxText : 0;
            var fileTexts = textByFile[candidate.Chunk.FileId];
            var textBestOther = fileTexts.Length > 1 ? (fileTexts[0] == textRelative ? fileTexts[1] : fileTexts[0]) : 0;

            rows[i] =
            [
                RelevanceScorer.Semantic(candidate.VectorSimilarity, profile),
                candidate.VectorSimilarity - maxCosine,
                textRelative,
                candidate.TextRank is { } textRank ? 1.0 / textRank : 0,
                1.0 / vectorRanks[i],
                content.Count == 0 ? 0 : covered.Count / (double)content.Count,
                content.Count == 0 ? 0 : content.Count(titleSet.Contains) / (double)content.Count,
                Proximity(covered, stems),
                bigrams.Count == 0 ? 0 : SharedBigrams(bigrams, stems) / (double)bigrams.Count,
                phrase is not null && Holds(passageWords, phrase) ? 1 : 0,
                bestOther,
                fileCosines.Length / (double)candidates.Count,
                candidate.TextScore is null ? 1 : 0,
                // Reciprocal rank fusion (k 60) of the two lists, scaled to about 1 for a chunk first in both.
                30 * ((candidate.TextRank is { } t ? 1.0 / (60 + t) : 0) + 1.0 / (60 + vectorRanks[i])),
                textBestOther,
            ];
        }

        return rows;
    }

    /// <summary>The query's words as a phrase to look for, when it has enough of them that holding it means quoting it.</summary>
    private static string? Phrase(string query)
    {
        var words = RelevanceScorer.Words(query);
        return words.Count >= MinimumQuoteWords ? " " + string.Join(' ', words) + " " : null;
    }

    private static bool Holds(string passage, string phrase) => Holds(RelevanceScorer.Words(passage), phrase);

    private static bool Holds(List<string> passageWords, string phrase) =>
        (" " + string.Join(' ', passageWords) + " ").Contains(phrase, StringComparison.Ordinal);

    private const int MinimumQuoteWords = 4;

    /// <summary>
    /// How tightly the covered query words sit together: covered words over the length of the shortest passage window
    /// holding all of them (1 when adjacent, towards 0 when scattered), 0 when fewer than two are covered.
    /// </summary>
    private static double Proximity(List<string> covered, List<string> stems)
    {
        if (covered.Count < 2)
        {
            return 0;
        }

        var wanted = covered.Select((w, i) => (w, i)).ToDictionary(x => x.w, x => x.i, StringComparer.Ordinal);
        var counts = new int[covered.Count];
        var inWindow = 0;
        var best = int.MaxValue;
        var left = 0;
        for (var right = 0; right < stems.Count; right++)
        {
            if (wanted.TryGetValue(stems[right], out var r) && counts[r]++ == 0)
            {
                inWindow++;
            }

            while (inWindow == covered.Count)
            {
                best = Math.Min(best, right - left + 1);
                if (wanted.TryGetValue(stems[left], out var l) && --counts[l] == 0)
                {
                    inWindow--;
                }

                left++;
            }
        }

        return best == int.MaxValue ? 0 : covered.Count / (double)best;
    }

    private static HashSet<(string, string)> Bigrams(List<string> words)
    {
        var set = new HashSet<(string, string)>();
        for (var i = 1; i < words.Count; i++)
        {
            set.Add((words[i - 1], words[i]));
        }

        return set;
    }

    /// <summary>How many of the query's word pairs the passage holds, without building the passage's own pairs.</summary>
    private static int SharedBigrams(HashSet<(string, string)> queryBigrams, List<string> words)
    {
        HashSet<(string, string)>? found = null;
        for (var i = 1; i < words.Count; i++)
        {
            if (queryBigrams.Contains((words[i - 1], words[i])))
            {
                (found ??= []).Add((words[i - 1], words[i]));
            }
        }

        return found?.Count ?? 0;
    }

    /// <summary>Plural and common verb endings forgiven, so "returns" meets "return" and "objects" meets "object".</summary>
    internal static string Stem(string word)
    {
        if (word.Length > 4 && word.EndsWith("ies", StringComparison.Ordinal))
        {
            return word[..^3] + "y";
        }

        if (word.Length > 3 && word.EndsWith('s') && !word.EndsWith("ss", StringComparison.Ordinal))
        {
            return word[..^1];
        }

        return word;
    }
}
