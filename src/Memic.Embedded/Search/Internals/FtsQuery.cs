using System.Globalization;
using System.Text;

namespace Memic.Embedded.Search.Internals;

/// <summary>
/// Turns user text into an FTS5 MATCH expression that can only mean "any of these words". The text is cut into
/// runs of letters, digits and combining marks (what the unicode61 tokenizer keeps), so every FTS5 operator,
/// column filter, prefix star, bracket or quote in the input is just a separator. Each distinct non-stopword
/// becomes a quoted string and they are OR-ed, so a passage matching some of them still counts. The whole text
/// is deliberately not added as a phrase: a passage quoting the query already holds every word, and a phrase
/// with a stopword in it costs a position check in nearly every matching row (it doubled query time at 100k).
/// </summary>
internal static class FtsQuery
{
    /// <summary>More words only slow the query down; a search box rarely holds more distinct content words.</summary>
    public const int MaxTerms = 32;

    /// <summary>Common English function words: alone they match nearly every passage and say nothing.</summary>
    private static readonly HashSet<string> Stopwords = new(StringComparer.Ordinal)
    {
        "a", "about", "above", "after", "again", "all", "am", "an", "and", "any", "are", "as", "at", "be", "because",
        "been", "before", "being", "below", "between", "both", "but", "by", "can", "could", "did", "do", "does",
        "doing", "down", "during", "each", "few", "for", "from", "further", "had", "has", "have", "having", "he",
        "her", "here", "hers", "him", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself", "just",
        "me", "more", "most", "my", "no", "nor", "not", "of", "off", "on", "once", "only", "or", "other", "our",
        "ours", "out", "over", "own", "same", "she", "should", "so", "some", "such", "than", "that", "the",
        "their", "theirs", "them", "then", "there", "these", "they", "this", "those", "through", "to", "too",
        "under", "until", "up", "very", "was", "we", "were", "what", "when", "where", "which", "while", "who",
        "whom", "why", "will", "with", "would", "you", "your", "yours",
    };

    /// <summary>The MATCH expression, or null when the text holds no word worth searching for.</summary>
    public static string? Build(string? text) => Match(Terms(text));

    /// <summary>The distinct non-stopwords of <paramref name="text"/> that a query searches for, in order.</summary>
    public static IReadOnlyList<string> Terms(string? text) =>
        [.. Words(text).Where(w => !Stopwords.Contains(w)).Distinct(StringComparer.Ordinal).Take(MaxTerms)];

    /// <summary>"Any of these terms" as a MATCH expression, or null when there are none.</summary>
    public static string? Match(IReadOnlyList<string> terms) => terms.Count == 0 ? null : string.Join(" OR ", terms.Select(Quote));

    /// <summary>The lower-cased words of <paramref name="text"/>, in order, repeats kept.</summary>
    public static IReadOnlyList<string> Words(string? text)
    {
        var words = new List<string>();
        if (string.IsNullOrEmpty(text))
        {
            return words;
        }

        var current = new StringBuilder();
        foreach (var rune in text.EnumerateRunes())
        {
            if (IsWordRune(rune))
            {
                current.Append(Rune.ToLowerInvariant(rune).ToString());
            }
            else if (current.Length > 0)
            {
                words.Add(current.ToString());
                current.Clear();
            }
        }

        if (current.Length > 0)
        {
            words.Add(current.ToString());
        }

        return words;
    }

    private static bool IsWordRune(Rune rune) => Rune.GetUnicodeCategory(rune) switch
    {
        UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
            or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter
            or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber
            or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark => true,
        _ => false,
    };

    /// <summary>A word holds no quote by construction; doubling is FTS5's escape and costs nothing to keep.</summary>
    private static string Quote(string value) => "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
