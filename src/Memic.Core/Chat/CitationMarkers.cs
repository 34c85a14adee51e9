using System.Globalization;
using System.Text.RegularExpressions;

namespace Memic.Core.Chat;

/// <summary>
/// The <c>[n]</c> markers of an answer written over numbered passages. A model numbers passages as they were given;
/// the response lists only the cited ones, so markers are renumbered to match: <c>[n]</c> is always the n-th citation.
/// </summary>
internal static partial class CitationMarkers
{
    /// <summary>
    /// Renumbers <c>[2]</c>, <c>[1, 3]</c> and the like in order of first citation, and drops numbers that name no
    /// passage (a marker left empty is removed with the space before it). Returns the text and the 0-based indexes
    /// of the cited passages, in citation order; none when the answer cites nothing.
    /// </summary>
    public static (string Text, IReadOnlyList<int> Cited) Renumber(string answer, int passageCount)
    {
        var cited = new List<int>();
        var text = Marker().Replace(answer, match =>
        {
            var numbers = new List<int>();
            foreach (var part in match.Groups["numbers"].Value.Split(','))
            {
                var passage = int.Parse(part.Trim(), CultureInfo.InvariantCulture) - 1;
                if (passage < 0 || passage >= passageCount)
                {
                    continue;
                }

                var position = cited.IndexOf(passage);
                if (position < 0)
                {
                    cited.Add(passage);
                    position = cited.Count - 1;
                }

                if (!numbers.Contains(position + 1))
                {
                    numbers.Add(position + 1);
                }
            }

            return numbers.Count == 0 ? string.Empty : $"{match.Groups["space"].Value}[{string.Join(", ", numbers)}]";
        });
        return (text, cited);
    }

    /// <summary>One to three digits, so a bracketed year such as [2024] is not taken for a citation.</summary>
    [GeneratedRegex(@"(?<space>[ \t]*)\[(?<numbers>\d{1,3}(?:\s*,\s*\d{1,3})*)\]", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Marker();
}
