using System.Collections.Immutable;

namespace Memic.Embedded.Search.Internals;

/// <summary>A segment as seen by one snapshot: which of its rows are deleted (null: none) and how many remain.</summary>
internal sealed record SegmentView(VectorSegment Segment, bool[]? Deleted, int LiveCount)
{
    public bool IsLive(int row) => Deleted is null || !Deleted[row];
}

/// <summary>
/// The in-memory vector cache of one environment at one index generation. Immutable: a query scans whichever
/// snapshot it picked up while writers publish new ones. A write derives the next snapshot from the current one
/// instead of reloading SQLite: it marks the file's old rows deleted and appends a segment with the new rows;
/// tail segments are merged while the one before is at most twice as large (so a long series of small writes
/// keeps O(log n) segments), and a segment that is mostly deleted is rewritten.
/// </summary>
internal sealed class VectorSnapshot
{
    private const int MaxSegments = 16;

    public VectorSnapshot(long generation, int dimensions, ImmutableArray<SegmentView> segments)
    {
        Generation = generation;
        Dimensions = dimensions;
        Segments = segments;
        LiveCount = segments.Sum(s => s.LiveCount);
    }

    /// <summary>The <c>index_info.generation</c> this snapshot reflects exactly.</summary>
    public long Generation { get; }

    public int Dimensions { get; }

    public ImmutableArray<SegmentView> Segments { get; }

    public int LiveCount { get; }

    public static VectorSnapshot Of(long generation, int dimensions, VectorSegment segment) =>
        new(generation, dimensions, segment.Count == 0 ? [] : [new SegmentView(segment, null, segment.Count)]);

    /// <summary>The snapshot after a write that removed <paramref name="fileId"/>'s rows and added <paramref name="added"/>.</summary>
    public VectorSnapshot WithFileReplaced(long generation, Guid fileId, VectorSegment? added)
    {
        var views = new List<SegmentView>(Segments.Length + 1);
        foreach (var view in Segments)
        {
            var kept = WithoutFile(view, fileId);
            if (kept.LiveCount == 0)
            {
                continue;
            }

            views.Add(kept.LiveCount * 2 < kept.Segment.Count ? Compact([kept]) : kept);
        }

        if (added is { Count: > 0 })
        {
            views.Add(new SegmentView(added, null, added.Count));
        }

        while (views.Count > 1 && (views[^2].LiveCount <= 2 * views[^1].LiveCount || views.Count > MaxSegments))
        {
            var merged = Compact([views[^2], views[^1]]);
            views.RemoveRange(views.Count - 2, 2);
            views.Add(merged);
        }

        return new VectorSnapshot(generation, Dimensions, [.. views]);
    }

    private static SegmentView WithoutFile(SegmentView view, Guid fileId)
    {
        var segment = view.Segment;
        if (!segment.Files.TryGetId(fileId, out var fileColumnId))
        {
            return view;
        }

        var deleted = view.Deleted is null ? new bool[segment.Count] : (bool[])view.Deleted.Clone();
        var live = view.LiveCount;
        var ids = segment.Files.Ids;
        for (var row = 0; row < ids.Length; row++)
        {
            if (ids[row] == fileColumnId && !deleted[row])
            {
                deleted[row] = true;
                live--;
            }
        }

        return view with { Deleted = deleted, LiveCount = live };
    }

    /// <summary>One new segment holding the live rows of <paramref name="views"/>, in order.</summary>
    private SegmentView Compact(IReadOnlyList<SegmentView> views)
    {
        var builder = new SegmentBuilder(views.Sum(v => v.LiveCount), Dimensions);
        foreach (var view in views)
        {
            var segment = view.Segment;
            for (var row = 0; row < segment.Count; row++)
            {
                if (view.IsLive(row))
                {
                    builder.AddQuantized(segment.RowIds[row], segment.CodesOf(row), segment.Scales[row], segment.AttributesOf(row));
                }
            }
        }

        var built = builder.Build();
        return new SegmentView(built, null, built.Count);
    }
}
