using System.Text.RegularExpressions;

namespace Memic.Core.Prompts;

/// <summary>What a prompt body declares: the <c>{{ variable }}</c> placeholders a caller is expected to fill (CONTRACT §8).</summary>
public static partial class PromptTemplate
{
    public const int MaxBodyLength = 100_000;

    /// <summary>The unique variable names in <paramref name="body"/>, in order of first appearance.</summary>
    public static IReadOnlyList<string> Variables(string body)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var names = new List<string>();
        foreach (Match match in VariablePattern().Matches(body))
        {
            var name = match.Groups[1].Value;
            if (seen.Add(name))
            {
                names.Add(name);
            }
        }

        return names;
    }

    // The contract's exact pattern; clients compute the same list from the same body.
    [GeneratedRegex(@"\{\{\s*(\w+)\s*\}\}", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex VariablePattern();
}
