using System.Globalization;
using System.Text;
using Memic.Core.Search;

namespace Memic.Azure.Search.Internals;

/// <summary>
/// Writes an <see cref="IndexFilter"/> as an Azure AI Search OData <c>$filter</c>. Every value is data, never syntax:
/// GUIDs and numbers are formatted here (never copied from caller text), and every string becomes one single-quoted
/// literal with its quotes doubled, compared with <c>eq</c> on its own. So quotes, <c>or</c>, <c>eq</c>, parentheses,
/// commas or any other text inside a value can only fail to match; they never split a value or widen the query.
/// The environment is never part of a filter: it is fixed by the index the request is sent to.
/// Semantics match the embedded index: lists are OR-ed, restrictions AND-ed, a non-null empty list matches nothing,
/// null reference ids, categories and document types never match, page filters apply to the chunk's page number.
/// </summary>
internal static class ODataFilter
{
    /// <summary>The filter, or null when <paramref name="filter"/> restricts nothing.</summary>
    public static string? Build(IndexFilter? filter)
    {
        if (filter is null)
        {
            return null;
        }

        var clauses = new List<string>();
        AddIds(clauses, ChunkFields.FileId, filter.FileIds);
        AddIds(clauses, ChunkFields.FolderId, filter.FolderIds);
        AddStrings(clauses, ChunkFields.MimeType, filter.MimeTypes);
        AddStrings(clauses, ChunkFields.ReferenceId, filter.ReferenceIds);
        AddStrings(clauses, ChunkFields.Category, filter.Categories);
        AddStrings(clauses, ChunkFields.DocumentType, filter.DocumentTypes);
        if (filter.PageNumbers is { } pages)
        {
            clauses.Add(AnyOf(pages.Distinct().Select(p => $"{ChunkFields.PageNumber} eq {Number(p)}")));
        }

        if (filter.Pages?.From is { } from)
        {
            clauses.Add($"{ChunkFields.PageNumber} ge {Number(from)}");
        }

        if (filter.Pages?.To is { } to)
        {
            clauses.Add($"{ChunkFields.PageNumber} le {Number(to)}");
        }

        if (filter.Metadata is { } metadata)
        {
            foreach (var (key, value) in metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                clauses.Add($"{ChunkFields.Metadata}/any(m: m eq {Literal(MetadataTerms.Encode(key, value))})");
            }
        }

        return clauses.Count == 0 ? null : string.Join(" and ", clauses);
    }

    /// <summary>The chunks of one file.</summary>
    public static string OfFile(Guid fileId) => $"{ChunkFields.FileId} eq {Literal(fileId)}";

    /// <summary>A string literal: single quotes, with every quote inside doubled (the only escape OData string literals have).</summary>
    public static string Literal(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return string.Concat("'", value.Replace("'", "''", StringComparison.Ordinal), "'");
    }

    private static string Literal(Guid id) => string.Concat("'", id.ToString("D"), "'");

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>GUIDs through <c>search.in</c>: their "D" form holds only hex digits and dashes, so '|' can never occur in one.</summary>
    private static void AddIds(List<string> clauses, string field, IReadOnlyList<Guid>? ids)
    {
        if (ids is null)
        {
            return;
        }

        clauses.Add(ids.Count == 0
            ? "false"
            : $"search.in({field}, '{string.Join('|', ids.Distinct().Select(id => id.ToString("D")))}', '|')");
    }

    private static void AddStrings(List<string> clauses, string field, IReadOnlyList<string>? values)
    {
        if (values is null)
        {
            return;
        }

        clauses.Add(AnyOf(values.Where(v => v is not null).Distinct(StringComparer.Ordinal).Select(v => $"{field} eq {Literal(v)}")));
    }

    /// <summary>An OR of the comparisons, parenthesised so it stays one operand of the surrounding AND; "false" for none.</summary>
    private static string AnyOf(IEnumerable<string> comparisons)
    {
        var list = comparisons.ToList();
        return list.Count switch
        {
            0 => "false",
            1 => list[0],
            _ => new StringBuilder("(").AppendJoin(" or ", list).Append(')').ToString(),
        };
    }
}
