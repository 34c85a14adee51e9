using Memic.Core.Search;

namespace Memic.Embedded.Search.Internals;

/// <summary>
/// An <see cref="IndexFilter"/> decided per distinct value of each segment column, then per row by array reads.
/// It selects the rows both the vector scan and the full-text query may return, so a filtered query still gets
/// its full number of candidates. Matches are exact and case-sensitive; a non-null empty list matches nothing;
/// a null reference id, category or document type never matches; page filters apply to the chunk's page number.
/// </summary>
internal sealed class SegmentFilter
{
    private readonly IndexFilter _filter;

    private SegmentFilter(IndexFilter filter) => _filter = filter;

    /// <summary>Null when <paramref name="filter"/> restricts nothing.</summary>
    public static SegmentFilter? From(IndexFilter? filter) =>
        filter is null
        || (filter.FileIds is null && filter.FolderIds is null && filter.MimeTypes is null && filter.ReferenceIds is null
            && filter.PageNumbers is null && filter.Pages?.From is null && filter.Pages?.To is null && filter.Categories is null
            && filter.DocumentTypes is null && (filter.Metadata is null || filter.Metadata.Count == 0))
            ? null
            : new SegmentFilter(filter);

    /// <summary>The live rows of <paramref name="view"/> that pass, in row order.</summary>
    public int[] Select(SegmentView view)
    {
        var segment = view.Segment;
        var checks = new List<(int[] Ids, bool[] Allowed)>();
        bool Require<T>(InternedColumn<T> column, bool[]? allowed)
            where T : notnull
        {
            if (allowed is null)
            {
                return true;
            }

            checks.Add((column.Ids, allowed));
            return Array.IndexOf(allowed, true) >= 0;
        }

        var f = _filter;
        var pages = f.PageNumbers is null ? null : new HashSet<int>(f.PageNumbers);
        var pass =
            Require(segment.Files, f.FileIds is null ? null : segment.Files.Allow(f.FileIds))
            && Require(segment.Folders, f.FolderIds is null ? null : segment.Folders.Allow(f.FolderIds))
            && Require(segment.MimeTypes, f.MimeTypes is null ? null : segment.MimeTypes.Allow(f.MimeTypes))
            && Require(segment.ReferenceIds, f.ReferenceIds is null ? null : segment.ReferenceIds.Allow(f.ReferenceIds))
            && Require(segment.Categories, f.Categories is null ? null : segment.Categories.Allow(f.Categories))
            && Require(segment.DocumentTypes, f.DocumentTypes is null ? null : segment.DocumentTypes.Allow(f.DocumentTypes))
            && Require(segment.Pages, pages is null && f.Pages?.From is null && f.Pages?.To is null ? null : segment.Pages.AllowWhere((_, page) =>
                (pages is null || pages.Contains(page)) && (f.Pages?.From is not { } from || page >= from) && (f.Pages?.To is not { } to || page <= to)))
            && Require(segment.Metadata, f.Metadata is not { Count: > 0 } wanted ? null : segment.Metadata.AllowWhere((id, _) =>
                Contains(segment.MetadataPairs[id], wanted)));
        if (!pass)
        {
            return [];
        }

        var rows = new List<int>();
        for (var row = 0; row < segment.Count; row++)
        {
            if (view.IsLive(row) && Passes(checks, row))
            {
                rows.Add(row);
            }
        }

        return [.. rows];
    }

    private static bool Passes(List<(int[] Ids, bool[] Allowed)> checks, int row)
    {
        foreach (var (ids, allowed) in checks)
        {
            var id = ids[row];
            if (id < 0 || !allowed[id])
            {
                return false;
            }
        }

        return true;
    }

    private static bool Contains(IReadOnlyDictionary<string, string> pairs, IReadOnlyDictionary<string, string> wanted) =>
        wanted.All(w => pairs.TryGetValue(w.Key, out var value) && string.Equals(value, w.Value, StringComparison.Ordinal));
}
