using Memic.Core.Search;
using Memic.Embedded.Search.Internals;
using static Memic.Embedded.Tests.Search.TestChunks;

namespace Memic.Embedded.Tests.Search;

public sealed class VectorScannerTests
{
    private const int Dimensions = 16;

    [Fact]
    public void The_parallel_scan_finds_what_a_single_thread_and_a_brute_force_find()
    {
        var random = new Random(9);
        var rows = VectorScanner.ParallelRows + 7_000;
        var vectors = Enumerable.Range(0, rows).Select(_ => Random(random, Dimensions)).ToArray();
        var folders = new[] { Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid() };
        var builder = new SegmentBuilder(rows, Dimensions);
        for (var i = 0; i < rows; i++)
        {
            builder.Add(1_000 + i, vectors[i], new ChunkAttributes(Guid.NewGuid(), folders[i % 3], "text/plain", null, null, null, 1, "{}"));
        }

        var snapshot = VectorSnapshot.Of(1, Dimensions, builder.Build());
        var query = Random(random, Dimensions);
        var codes = new short[Int8Vectors.StrideOf(Dimensions)];
        var scale = Int8Vectors.QuantizeQuery(query, codes);
        var everything = VectorScanner.Select(snapshot, null);
        var oneFolder = VectorScanner.Select(snapshot, SegmentFilter.From(new IndexFilter { FolderIds = [folders[1]] }));

        var parallel = VectorScanner.Top(everything, codes, scale, 200, allowParallel: true, Ct);
        var single = VectorScanner.Top(everything, codes, scale, 200, allowParallel: false, Ct);
        var filtered = VectorScanner.Top(oneFolder, codes, scale, 200, allowParallel: true, Ct);

        Assert.Equal(single, parallel);
        // The exact best 20 are all among the approximate best 60: the margin the index re-scores with is wider still.
        var exactBest = Enumerable.Range(0, rows).OrderByDescending(i => Cosine(query, vectors[i])).Take(20).Select(i => 1_000L + i).ToHashSet();
        Assert.Subset(parallel.Take(60).Select(r => r.RowId).ToHashSet(), exactBest);
        Assert.Equal(200, filtered.Count);
        Assert.All(filtered, r => Assert.Equal(1, (r.RowId - 1_000) % 3));
        Assert.Equal(rows / 3, oneFolder.Count);
    }

    [Fact]
    public void Replacing_a_file_marks_its_rows_deleted_and_merges_small_segments()
    {
        var random = new Random(4);
        var files = Enumerable.Range(0, 6).Select(_ => Guid.NewGuid()).ToArray();
        var snapshot = VectorSnapshot.Of(0, Dimensions, Segment(random, files[0], 0, 1_000));
        var nextRowId = 1_000L;
        for (var round = 1; round <= 30; round++)
        {
            var file = files[round % files.Length];
            snapshot = snapshot.WithFileReplaced(round, file, Segment(random, file, nextRowId, 50));
            nextRowId += 50;
        }

        var live = VectorScanner.Select(snapshot, null);
        Assert.InRange(snapshot.Segments.Length, 1, 8);
        Assert.Equal(files.Length * 50, snapshot.LiveCount);
        Assert.Equal(snapshot.LiveCount, live.Count);
        var perFile = live.Parts.SelectMany(p => (p.Rows ?? Enumerable.Range(0, p.Segment.Count)).Select(r => p.Segment.Files.ValueAt(r))).GroupBy(f => f);
        Assert.All(perFile, g => Assert.Equal(50, g.Count()));
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static VectorSegment Segment(Random random, Guid file, long firstRowId, int count)
    {
        var builder = new SegmentBuilder(count, Dimensions);
        for (var i = 0; i < count; i++)
        {
            builder.Add(firstRowId + i, Random(random, Dimensions), new ChunkAttributes(file, Guid.Empty, "text/plain", null, null, null, 1, "{}"));
        }

        return builder.Build();
    }
}
