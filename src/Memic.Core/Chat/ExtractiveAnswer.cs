using System.Text;
using System.Text.RegularExpressions;
using Memic.Core.Search;

namespace Memic.Core.Chat;

/// <summary>An answer text and the passages it cites; the n-th passage is the text's marker <c>[n]</c>.</summary>
internal sealed record ComposedAnswer(string Text, IReadOnlyList<SearchHit> Cited);

/// <summary>
/// The answer given without a language model: the few sentences of the passages found that best answer the question,
/// each followed by the marker of its passage. Sentences are ranked by how many of the question's content words they
/// hold, weighed with their passage's relevance, so a paraphrased question that shares few words still gets the best
/// passage's most fitting sentence.
/// </summary>
internal static partial class ExtractiveAnswer
{
    private const int MaxSentences = 3;
    private const int MaxSentenceChars = 300;
    private const int MaxAnswerChars = 700;

    /// <summary>Lines shorter than this are headings or labels, not sentences that answer anything.</summary>
    private const int MinSentenceWords = 3;

    /// <summary>A line of this many words that ends without punctuation was wrapped, not a heading.</summary>
    private const int WrappedLineWords = 8;

    /// <summary>Weight of question-word coverage against the passage's calibrated score.</summary>
    private const double CoverageWeight = 0.6;

    /// <summary>Sentences sharing this much of their words say the same thing (overlapping chunks repeat text).</summary>
    private const double DuplicateSimilarity = 0.8;

    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "how", "i", "in", "is", "it", "its",
        "of", "on", "or", "that", "the", "this", "to", "was", "were", "what", "when", "where", "which", "who", "why", "will",
        "with", "do", "does", "did", "can", "could", "should", "would", "my", "our", "your", "we", "you", "me", "about", "there",
        "their", "they", "them", "any", "all", "if", "so", "than", "then", "into", "us", "been", "being", "am", "not", "no",
        "tell", "please", "much", "many",
    };

    public static ComposedAnswer Compose(string question, IReadOnlyList<SearchHit> hits)
    {
        ArgumentNullException.ThrowIfNull(hits);
        if (hits.Count == 0)
        {
            return new ComposedAnswer(string.Empty, []);
        }

        var questionWords = ContentWords(question);
        var candidates = hits
            .SelectMany((hit, rank) => Sentences(hit.Chunk.Content).Select((sentence, position) =>
            {
                var coverage = Coverage(questionWords, sentence);
                return new Candidate(hit, rank, position, sentence, coverage, CoverageWeight * coverage + (1 - CoverageWeight) * hit.Score);
            }))
            .OrderByDescending(c => c.Score)
            .ThenBy(c => c.Rank)
            .ThenBy(c => c.Position)
            .ToList();

        if (candidates.Count == 0)
        {
            // Passages without sentences (tables, lists of labels): quote the best one as it is.
            var best = hits[0];
            return new ComposedAnswer(Cite(Truncate(Collapse(best.Chunk.Content)), 1), [best]);
        }

        var chosen = new List<Candidate>();
        var length = 0;
        foreach (var candidate in candidates)
        {
            if (chosen.Count == MaxSentences)
            {
                break;
            }

            // Only the best sentence may share no word with the question; the others must add to the answer.
            var relevant = chosen.Count == 0 || (candidate.Coverage > 0 && candidate.Coverage >= chosen[0].Coverage / 2);
            var text = Truncate(candidate.Sentence);
            if (!relevant || (chosen.Count > 0 && length + text.Length > MaxAnswerChars) || chosen.Any(c => Duplicates(c.Sentence, candidate.Sentence)))
            {
                continue;
            }

            chosen.Add(candidate with { Sentence = text });
            length += text.Length;
        }

        var cited = new List<SearchHit>();
        var answer = new StringBuilder();
        foreach (var candidate in chosen)
        {
            var number = cited.IndexOf(candidate.Hit) + 1;
            if (number == 0)
            {
                cited.Add(candidate.Hit);
                number = cited.Count;
            }

            answer.Append(answer.Length == 0 ? "" : " ").Append(Cite(candidate.Sentence, number));
        }

        return new ComposedAnswer(answer.ToString(), cited);
    }

    /// <summary>
    /// Sentences of a passage. Lines are joined when a sentence was wrapped across them and kept apart when a line is a
    /// heading or list item; list and heading marks are dropped; fragments of fewer than three words are left out.
    /// </summary>
    public static IReadOnlyList<string> Sentences(string passage)
    {
        var blocks = new List<string>();
        var current = new StringBuilder();
        var previous = string.Empty;
        foreach (var raw in passage.ReplaceLineEndings("\n").Split('\n'))
        {
            var line = LineMarks().Replace(raw.Trim(), string.Empty);
            if (line.Length == 0 || (current.Length > 0 && !Continues(previous, line)))
            {
                Flush(blocks, current);
            }

            if (line.Length > 0)
            {
                current.Append(current.Length == 0 ? "" : " ").Append(line);
                previous = line;
            }
        }

        Flush(blocks, current);
        return [.. blocks
            .SelectMany(block => SentenceBreak().Split(block))
            .Select(Collapse)
            .Where(s => Words(s).Count >= MinSentenceWords)];
    }

    /// <summary>Lower-cased content words of a text (stop words aside), a plural 's' forgiven.</summary>
    public static HashSet<string> ContentWords(string text) =>
        new(Words(text).Where(w => !StopWords.Contains(w)).Select(Stem), StringComparer.Ordinal);

    private static double Coverage(HashSet<string> questionWords, string sentence)
    {
        if (questionWords.Count == 0)
        {
            return 0;
        }

        var sentenceWords = Words(sentence).Select(Stem).ToHashSet(StringComparer.Ordinal);
        return questionWords.Count(sentenceWords.Contains) / (double)questionWords.Count;
    }

    private static bool Duplicates(string a, string b)
    {
        var wordsA = Words(a).ToHashSet(StringComparer.Ordinal);
        var wordsB = Words(b).ToHashSet(StringComparer.Ordinal);
        var shared = wordsA.Count(wordsB.Contains);
        var union = wordsA.Count + wordsB.Count - shared;
        return union == 0 || shared == Math.Min(wordsA.Count, wordsB.Count) || shared / (double)union >= DuplicateSimilarity;
    }

    /// <summary>A line continues the sentence before it when that one did not end and was wrapped, not a heading.</summary>
    private static bool Continues(string previous, string line) =>
        !EndsSentence(previous) && (char.IsLower(line[0]) || Words(previous).Count >= WrappedLineWords);

    private static bool EndsSentence(string text) => text.TrimEnd('"', '\'', ')', ']', '”', '’') is { Length: > 0 } t && t[^1] is '.' or '!' or '?' or ':' or ';';

    /// <summary>The sentence with its passage's marker before its full stop: "… every twelve months [1]."</summary>
    private static string Cite(string sentence, int number) =>
        sentence.EndsWith('.') && !sentence.EndsWith("..", StringComparison.Ordinal)
            ? $"{sentence[..^1]} [{number}]."
            : $"{sentence} [{number}]";

    private static string Truncate(string sentence)
    {
        if (sentence.Length <= MaxSentenceChars)
        {
            return sentence;
        }

        var cut = sentence.LastIndexOf(' ', MaxSentenceChars);
        return sentence[..(cut > 0 ? cut : MaxSentenceChars)].TrimEnd(',', ';', ':', ' ') + "…";
    }

    private static string Collapse(string text) => Whitespace().Replace(text, " ").Trim();

    private static void Flush(List<string> blocks, StringBuilder current)
    {
        if (current.Length > 0)
        {
            blocks.Add(current.ToString());
            current.Clear();
        }
    }

    // The same words and plural folding as search scores passages with.
    private static string Stem(string word) => RelevanceScorer.Stem(word);

    private static List<string> Words(string text) => RelevanceScorer.Words(text);

    [GeneratedRegex(@"\s+", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Whitespace();

    /// <summary>Markdown heading, quote and list marks at the start of a line.</summary>
    [GeneratedRegex(@"^(?:#{1,6}\s+|>\s*|[-*•]\s+|\d{1,3}[.)]\s+)+", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex LineMarks();

    /// <summary>After a full stop, question or exclamation mark (and any closing quote) when a new sentence starts.</summary>
    [GeneratedRegex(@"(?<=[.!?][""'”’)\]]?)\s+(?=[\p{Lu}\p{N}""'“‘(\[])", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex SentenceBreak();

    private sealed record Candidate(SearchHit Hit, int Rank, int Position, string Sentence, double Coverage, double Score);
}
