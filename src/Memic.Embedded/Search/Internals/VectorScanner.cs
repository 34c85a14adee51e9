namespace Memic.Embedded.Search.Internals;

/// <summary>A row the scan kept, with its approximate (int8) cosine.</summary>
internal readonly record struct ScoredRow(long RowId, float Score);

/// <summary>The rows of a snapshot that pass a filter: per segment, all live rows (null) or the listed ones.</summary>
internal sealed class ScanSelection
{
    public required IReadOnlyList<(VectorSegment Segment, int[]? Rows)> Parts { get; init; }

    public required int Count { get; init; }

    /// <summary>
    /// The selected row ids as a byte per id (1 = selected) from <c>First</c> to the largest selected id, or null
    /// when nothing is selected.
    /// </summary>
    public (long First, byte[] Allowed)? AllowedRowIds()
    {
        long first = long.MaxValue, last = long.MinValue;
        ForEachRowId(id =>
        {
            first = Math.Min(first, id);
            last = Math.Max(last, id);
        });
        if (first > last)
        {
            return null;
        }

        var allowed = new byte[checked((int)(last - first + 1))];
        ForEachRowId(id => allowed[id - first] = 1);
        return (first, allowed);
    }

    private void ForEachRowId(Action<long> action)
    {
        foreach (var (segment, rows) in Parts)
        {
            var count = rows?.Length ?? segment.Count;
            for (var i = 0; i < count; i++)
            {
                action(segment.RowIds[rows is null ? i : rows[i]]);
            }
        }
    }
}

/// <summary>
/// Scores every selected row against the query codes and keeps the best. Work is cut into units of at most
/// <see cref="UnitRows"/> rows; below <see cref="ParallelRows"/> rows (or beside a full-text query) one thread does
/// it all, otherwise the units run on every core with a top list per worker, merged at the end.
/// </summary>
internal static class VectorScanner
{
    public const int UnitRows = 8192;

    /// <summary>Under this many rows the scan takes well under a millisecond and fanning out costs more than it saves.</summary>
    public const int ParallelRows = 32_768;

    /// <summary>The live rows of <paramref name="snapshot"/> that pass <paramref name="filter"/> (all live rows when it is null).</summary>
    public static ScanSelection Select(VectorSnapshot snapshot, SegmentFilter? filter)
    {
        var parts = new List<(VectorSegment, int[]?)>(snapshot.Segments.Length);
        var count = 0;
        foreach (var view in snapshot.Segments)
        {
            var rows = filter is not null ? filter.Select(view) : view.Deleted is null ? null : LiveRows(view);
            parts.Add((view.Segment, rows));
            count += rows?.Length ?? view.Segment.Count;
        }

        return new ScanSelection { Parts = parts, Count = count };
    }

    /// <param name="allowParallel">False when another thread (the full-text query) already keeps a core busy.</param>
    public static IReadOnlyList<ScoredRow> Top(ScanSelection selection, short[] query, float queryScale, int count, bool allowParallel, CancellationToken cancellationToken)
    {
        if (selection.Count == 0 || count <= 0)
        {
            return [];
        }

        var units = new List<WorkUnit>();
        foreach (var (segment, rows) in selection.Parts)
        {
            var length = rows?.Length ?? segment.Count;
            for (var start = 0; start < length; start += UnitRows)
            {
                units.Add(new WorkUnit(segment, rows, start, Math.Min(length, start + UnitRows)));
            }
        }

        var best = new TopList(Math.Min(count, selection.Count));
        if (!allowParallel || selection.Count < ParallelRows || Environment.ProcessorCount == 1)
        {
            foreach (var unit in units)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Scan(unit, query, queryScale, best);
            }
        }
        else
        {
            var gate = new Lock();
            Parallel.For(
                0,
                units.Count,
                new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount },
                () => new TopList(best.Capacity),
                (i, _, local) =>
                {
                    Scan(units[i], query, queryScale, local);
                    return local;
                },
                local =>
                {
                    lock (gate)
                    {
                        best.AddAll(local);
                    }
                });
        }

        return best.Descending();
    }

    private static int[] LiveRows(SegmentView view)
    {
        var rows = new int[view.LiveCount];
        var n = 0;
        for (var row = 0; row < view.Segment.Count; row++)
        {
            if (view.IsLive(row))
            {
                rows[n++] = row;
            }
        }

        return rows;
    }

    private static void Scan(WorkUnit unit, short[] query, float queryScale, TopList best)
    {
        var segment = unit.Segment;
        var stride = segment.Stride;
        var codes = segment.Codes;
        var scales = segment.Scales;
        var rowIds = segment.RowIds;
        for (var i = unit.Start; i < unit.End; i++)
        {
            var row = unit.Rows is null ? i : unit.Rows[i];
            var score = Int8Vectors.Dot(codes.AsSpan(row * stride, stride), query) * scales[row] * queryScale;
            best.Add(score, rowIds[row]);
        }
    }

    /// <summary>Rows [Start, End) of a segment, or of <see cref="Rows"/> when the filter or deletions picked rows.</summary>
    private sealed record WorkUnit(VectorSegment Segment, int[]? Rows, int Start, int End);
}

/// <summary>The <see cref="Capacity"/> best scores seen, as a min-heap so a worse row is rejected with one compare.</summary>
internal sealed class TopList
{
    private readonly float[] _scores;
    private readonly long[] _ids;

    public TopList(int capacity)
    {
        Capacity = Math.Max(0, capacity);
        _scores = new float[Capacity];
        _ids = new long[Capacity];
    }

    public int Capacity { get; }

    public int Count { get; private set; }

    public void Add(float score, long id)
    {
        if (Count < Capacity)
        {
            var i = Count++;
            _scores[i] = score;
            _ids[i] = id;
            SiftUp(i);
        }
        else if (Capacity > 0 && score > _scores[0])
        {
            _scores[0] = score;
            _ids[0] = id;
            SiftDown(0);
        }
    }

    public void AddAll(TopList other)
    {
        for (var i = 0; i < other.Count; i++)
        {
            Add(other._scores[i], other._ids[i]);
        }
    }

    /// <summary>Best first; equal scores by row id so results are stable.</summary>
    public IReadOnlyList<ScoredRow> Descending()
    {
        var rows = new ScoredRow[Count];
        for (var i = 0; i < Count; i++)
        {
            rows[i] = new ScoredRow(_ids[i], _scores[i]);
        }

        Array.Sort(rows, static (a, b) => b.Score != a.Score ? b.Score.CompareTo(a.Score) : a.RowId.CompareTo(b.RowId));
        return rows;
    }

    private void SiftUp(int i)
    {
        while (i > 0)
        {
            var parent = (i - 1) / 2;
            if (_scores[parent] <= _scores[i])
            {
                return;
            }

            Swap(i, parent);
            i = parent;
        }
    }

    private void SiftDown(int i)
    {
        while (true)
        {
            var smallest = i;
            var left = (2 * i) + 1;
            var right = left + 1;
            if (left < Count && _scores[left] < _scores[smallest])
            {
                smallest = left;
            }

            if (right < Count && _scores[right] < _scores[smallest])
            {
                smallest = right;
            }

            if (smallest == i)
            {
                return;
            }

            Swap(i, smallest);
            i = smallest;
        }
    }

    private void Swap(int a, int b)
    {
        (_scores[a], _scores[b]) = (_scores[b], _scores[a]);
        (_ids[a], _ids[b]) = (_ids[b], _ids[a]);
    }
}
