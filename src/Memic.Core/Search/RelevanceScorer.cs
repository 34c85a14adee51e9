using System.Text;

namespace Memic.Core.Search;

/// <summary>
/// How one embedding model's cosine similarities map to relevance: a logistic curve
/// <c>1 / (1 + e^(-Steepness · (cos − Midpoint)))</c> fitted on labeled query–passage pairs
/// (see docs/benchmarks.md, "Score calibration"). Models differ widely (MiniLM puts paraphrases near 0.6,
/// text-embedding-3-small near 0.5), which is why the curve belongs to the model.
/// </summary>
public sealed record RelevanceProfile(string ModelId, double Midpoint, double Steepness)
{
    /// <summary>
    /// all-MiniLM-L6-v2: midpoint fitted by <c>dotnet run -c Release --project bench/Memic.Benchmarks -- calibrate</c> on
    /// bench/data/relevance-pairs.tsv with the slope fixed at 15 (those pairs separate cleanly, so a free slope diverges).
    /// A score of 0.7 then sits at cosine 0.42, between unrelated pairs (at most 0.33) and relevant ones (at least 0.47).
    /// </summary>
    public static RelevanceProfile MiniLm { get; } = new("all-MiniLM-L6-v2", 0.361, 15.0);

    /// <summary>
    /// Azure OpenAI text-embedding-3-small: not fitted here (no Azure access from this workplace); set from the model's
    /// lower, narrower similarity range. Re-fit with the same command against the live embedder before relying on it.
    /// </summary>
    public static RelevanceProfile OpenAiSmall { get; } = new("text-embedding-3-small", 0.33, 18.0);

    public static RelevanceProfile For(string modelId) =>
        modelId.Contains("text-embedding-3", StringComparison.OrdinalIgnoreCase) ? OpenAiSmall : MiniLm with { ModelId = modelId };
}

/// <summary>
/// The calibrated 0–1 <c>score</c> of CONTRACT §6, the same on every backend: it uses only the query, the passage text
/// and the cosine similarity of their vectors, never a backend's own score scale. Three bands: a passage the query
/// quotes scores in [0.9, 1]; one it paraphrases, or whose words it covers, in [0.7, 0.9) by the model's calibrated
/// similarity; anything else below 0.7 (the SDK's default <c>min_score</c>). Keeping non-quotes under 0.9 ranks a
/// quoted passage above every paraphrase match (measured on the retrieval harness: quotes then rank first).
/// </summary>
public static class RelevanceScorer
{
    /// <summary>Weight of word coverage against semantic similarity for queries that do not quote the passage.</summary>
    private const double CoverageWeight = 0.6;

    /// <summary>Where the relevant band starts: the SDK's default <c>min_score</c>.</summary>
    private const double RelevantFloor = 0.7;

    /// <summary>Where the quote band starts.</summary>
    private const double QuoteFloor = 0.9;

    /// <summary>Keeps the best non-quote strictly below <see cref="QuoteFloor"/>.</summary>
    private const double NonQuoteCeiling = 0.999;

    /// <summary>A quote must be at least this many words, so a single shared word is not mistaken for one.</summary>
    private const int MinimumQuoteWords = 4;

    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "how", "i", "in", "is", "it", "its",
        "of", "on", "or", "that", "the", "this", "to", "was", "were", "what", "when", "where", "which", "who", "why", "will",
        "with", "do", "does", "did", "can", "my", "our", "your", "we", "you", "me", "about", "there", "their", "they",
    };

    public static double Score(string query, string passage, double cosine, RelevanceProfile profile)
    {
        var semantic = Semantic(cosine, profile);
        var queryWords = Words(query);
        var passageText = string.Join(' ', Words(passage));
        if (queryWords.Count >= MinimumQuoteWords && passageText.Contains(string.Join(' ', queryWords), StringComparison.Ordinal))
        {
            return QuoteFloor + (1 - QuoteFloor) * semantic;
        }

        var coverage = Coverage(queryWords, passageText);
        var relevance = Math.Clamp(Math.Max(semantic, CoverageWeight * coverage + (1 - CoverageWeight) * semantic), 0, 1);
        return relevance <= RelevantFloor
            ? relevance
            : RelevantFloor + (relevance - RelevantFloor) / (1 - RelevantFloor) * (QuoteFloor - RelevantFloor) * NonQuoteCeiling;
    }

    public static double Semantic(double cosine, RelevanceProfile profile) =>
        1 / (1 + Math.Exp(-profile.Steepness * (cosine - profile.Midpoint)));

    /// <summary>Share of the query's content words (stop words aside) found in the passage, plural 's' forgiven.</summary>
    private static double Coverage(IReadOnlyList<string> queryWords, string passageText)
    {
        var content = queryWords.Where(w => !StopWords.Contains(w)).Distinct().ToList();
        if (content.Count == 0)
        {
            return 0;
        }

        var passageWords = new HashSet<string>(passageText.Split(' ').Select(Stem), StringComparer.Ordinal);
        return content.Count(w => passageWords.Contains(Stem(w))) / (double)content.Count;
    }

    internal static string Stem(string word) => word.Length > 3 && word.EndsWith('s') && !word.EndsWith("ss", StringComparison.Ordinal) ? word[..^1] : word;

    /// <summary>Lower-cased words of letters and digits; everything else separates.</summary>
    internal static List<string> Words(string text)
    {
        // Most text is already in form KC; checking is far cheaper than normalising (this runs on every candidate).
        var normalized = text.IsNormalized(NormalizationForm.FormKC) ? text : text.Normalize(NormalizationForm.FormKC);
        var words = new List<string>();
        var start = -1;
        for (var i = 0; i <= normalized.Length; i++)
        {
            if (i < normalized.Length && char.IsLetterOrDigit(normalized[i]))
            {
                start = start < 0 ? i : start;
            }
            else if (start >= 0)
            {
                words.Add(string.Create(i - start, (normalized, start), static (destination, word) => word.normalized.AsSpan(word.start, destination.Length).ToLowerInvariant(destination)));
                start = -1;
            }
        }

        return words;
    }
}
