using System.Globalization;
using System.Text;

namespace Memic.Azure.Search.Internals;

/// <summary>
/// User text as a simple-syntax query that can only mean "any of these words": the text is cut into runs of letters,
/// digits and combining marks and the runs are joined by spaces (OR under <c>searchMode=any</c>). Every operator of
/// the simple syntax (<c>+ | - " * ( ) ~ \</c>) is a separator, never syntax; the words "and", "or", "not" are plain
/// words there. Stopwords are left to the field's English analyzer.
/// </summary>
internal static class SearchText
{
    /// <summary>More words only slow the query down (as in the embedded index).</summary>
    public const int MaxTerms = 32;

    /// <summary>The query text, or null when there is no word in it.</summary>
    public static string? Build(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        var words = new List<string>();
        var current = new StringBuilder();
        foreach (var rune in text.EnumerateRunes())
        {
            if (Rune.IsLetterOrDigit(rune) || Rune.GetUnicodeCategory(rune) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark)
            {
                current.Append(rune.ToString());
            }
            else
            {
                Flush();
            }
        }

        Flush();
        return words.Count == 0 ? null : string.Join(' ', words);

        void Flush()
        {
            if (current.Length > 0)
            {
                var word = current.ToString().ToLowerInvariant();
                if (words.Count < MaxTerms && !words.Contains(word, StringComparer.Ordinal))
                {
                    words.Add(word);
                }

                current.Clear();
            }
        }
    }
}
