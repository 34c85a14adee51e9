using System.Text;

namespace Memic.Azure.Tests.Search;

/// <summary>
/// Reads an OData filter the way the service's lexer does for string literals: a quote opens one, a doubled quote
/// inside is a quote, a single quote closes it. The skeleton is the filter with every literal replaced by <c>'?'</c>;
/// if two filters have the same skeleton, their values changed no operator, parenthesis or field.
/// </summary>
internal static class ODataLiterals
{
    public static (string Skeleton, IReadOnlyList<string> Literals) Read(string filter)
    {
        var skeleton = new StringBuilder();
        var literals = new List<string>();
        for (var i = 0; i < filter.Length; i++)
        {
            if (filter[i] != '\'')
            {
                skeleton.Append(filter[i]);
                continue;
            }

            var literal = new StringBuilder();
            for (i++; ; i++)
            {
                if (i >= filter.Length)
                {
                    throw new FormatException($"Unterminated string literal in: {filter}");
                }

                if (filter[i] == '\'')
                {
                    if (i + 1 < filter.Length && filter[i + 1] == '\'')
                    {
                        literal.Append('\'');
                        i++;
                        continue;
                    }

                    break;
                }

                literal.Append(filter[i]);
            }

            literals.Add(literal.ToString());
            skeleton.Append("'?'");
        }

        return (skeleton.ToString(), literals);
    }
}
