using Memic.Core.Errors;
using Memic.Core.Ports;
using Memic.Core.Search;
using static Memic.Embedded.Tests.Search.TestChunks;

namespace Memic.Embedded.Tests.Search;

/// <summary>What every search index adapter must do, through the port alone.</summary>
public abstract class SearchIndexContract
{
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected abstract ISearchIndex Index { get; }

    // Lifecycle

    [Fact]
    public async Task An_environment_without_index_reads_as_empty_and_deleting_its_file_chunks_is_a_no_op()
    {
        var environment = Guid.NewGuid();
        var file = Guid.NewGuid();

        Assert.Empty(await Index.QueryAsync(environment, Query("anything", Axis(8, 0)), Ct));
        Assert.Equal(0, await Index.CountFileChunksAsync(environment, file, Ct));
        Assert.Empty(await Index.GetFileChunksAsync(environment, file, Ct));
        await Index.DeleteFileChunksAsync(environment, file, Ct);
        await Index.DeleteAsync(environment, Ct);
    }

    [Fact]
    public async Task Writing_chunks_before_the_index_is_created_is_refused()
    {
        var environment = Guid.NewGuid();
        var file = Guid.NewGuid();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            Index.ReplaceFileChunksAsync(environment, file, [Chunk(file, 0, "text", Axis(8, 0))], Ct));

        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_is_idempotent_and_refuses_another_model_or_dimension()
    {
        var environment = Guid.NewGuid();
        await Index.CreateAsync(environment, Model(8), Ct);
        await Index.CreateAsync(environment, Model(8), Ct);

        var otherModel = await Assert.ThrowsAsync<ConflictException>(() => Index.CreateAsync(environment, Model(8, "other-model"), Ct));
        var otherDimension = await Assert.ThrowsAsync<ConflictException>(() => Index.CreateAsync(environment, Model(16), Ct));

        Assert.Equal(ErrorCodes.Conflict, otherModel.Code);
        Assert.Contains("test-model", otherModel.Message, StringComparison.Ordinal);
        Assert.Contains("other-model", otherModel.Message, StringComparison.Ordinal);
        Assert.Contains("16", otherDimension.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Vectors_of_another_dimension_are_refused_on_write_and_query()
    {
        var environment = await CreatedAsync();
        var file = Guid.NewGuid();

        await Assert.ThrowsAsync<ConflictException>(() => Index.ReplaceFileChunksAsync(environment, file, [Chunk(file, 0, "text", Axis(16, 0))], Ct));
        await Assert.ThrowsAsync<ConflictException>(() => Index.QueryAsync(environment, Query("text", Axis(16, 0)), Ct));
    }

    // Writes

    [Fact]
    public async Task Replacing_a_file_twice_leaves_its_chunks_once()
    {
        var environment = await CreatedAsync();
        var file = Guid.NewGuid();
        var chunks = Enumerable.Range(0, 5).Select(i => Chunk(file, i, $"passage number {i}", WithCosine(8, 0.9 - (i * 0.1)))).ToList();

        await Index.ReplaceFileChunksAsync(environment, file, chunks, Ct);
        await Index.ReplaceFileChunksAsync(environment, file, chunks, Ct);

        Assert.Equal(5, await Index.CountFileChunksAsync(environment, file, Ct));
        Assert.Equal(chunks.Select(c => c.ChunkId), (await Index.GetFileChunksAsync(environment, file, Ct)).Select(c => c.ChunkId));
        var found = await Index.QueryAsync(environment, Query("passage", Axis(8, 0), candidates: 50), Ct);
        Assert.Equal(5, found.Count);
        Assert.Equal(5, found.Select(c => c.Chunk.ChunkId).Distinct().Count());
    }

    [Fact]
    public async Task Replacing_with_fewer_chunks_removes_the_others_from_text_and_vector_search()
    {
        var environment = await CreatedAsync();
        var file = Guid.NewGuid();
        await Index.ReplaceFileChunksAsync(environment, file, [.. Enumerable.Range(0, 4).Select(i => Chunk(file, i, $"old text {i}", Axis(8, i)))], Ct);
        await Index.QueryAsync(environment, Query("old", Axis(8, 0)), Ct);

        await Index.ReplaceFileChunksAsync(environment, file, [Chunk(file, 0, "new text", Axis(8, 5))], Ct);

        Assert.Equal(1, await Index.CountFileChunksAsync(environment, file, Ct));
        Assert.Empty(await Index.QueryAsync(environment, Query("old", null), Ct));
        var nearest = await Index.QueryAsync(environment, Query("", Axis(8, 1), candidates: 10), Ct);
        var only = Assert.Single(nearest);
        Assert.Equal("new text", only.Chunk.Content);
    }

    [Fact]
    public async Task A_failing_replace_changes_nothing()
    {
        var environment = await CreatedAsync();
        var file = Guid.NewGuid();
        var original = Enumerable.Range(0, 3).Select(i => Chunk(file, i, $"original {i}", Axis(8, i))).ToList();
        await Index.ReplaceFileChunksAsync(environment, file, original, Ct);
        await Index.QueryAsync(environment, Query("original", Axis(8, 0)), Ct);

        List<IndexedChunk> wrongDimension = [Chunk(file, 0, "replacement", Axis(8, 0)), Chunk(file, 1, "replacement", Axis(8, 1)), Chunk(file, 2, "replacement", Axis(9, 2))];
        List<IndexedChunk> repeatedId = [Chunk(file, 0, "replacement", Axis(8, 0)), Chunk(file, 0, "replacement", Axis(8, 1))];
        await Assert.ThrowsAsync<ConflictException>(() => Index.ReplaceFileChunksAsync(environment, file, wrongDimension, Ct));
        await Assert.ThrowsAsync<ConflictException>(() => Index.ReplaceFileChunksAsync(environment, file, repeatedId, Ct));

        var stored = await Index.GetFileChunksAsync(environment, file, Ct);
        Assert.Equal(original.Select(c => c.Content), stored.Select(c => c.Content));
        Assert.Empty(await Index.QueryAsync(environment, Query("replacement", null), Ct));
        var vectorHits = await Index.QueryAsync(environment, Query("", Axis(8, 2), candidates: 10), Ct);
        Assert.Equal(3, vectorHits.Count);
        Assert.Equal("original 2", vectorHits[0].Chunk.Content);
    }

    [Fact]
    public async Task Chunks_round_trip_every_field_in_chunk_order()
    {
        var environment = await CreatedAsync();
        var file = Guid.NewGuid();
        var folder = Guid.NewGuid();
        var rich = Chunk(file, 1, "Ünïcödé text — with \"quotes\" and 'apostrophes'", [0.5f, -0.25f, 0.125f, 0, 0, 0, 0, 1e-7f], folder,
            "text/markdown", "ref-9", "policy", "memo", 7, new Dictionary<string, string> { ["team"] = "blue", ["emoji"] = "🙂" }, "notes.md", ["Part 1", "Scope"]);
        var plain = Chunk(file, 0, "first", Axis(8, 3));

        await Index.ReplaceFileChunksAsync(environment, file, [rich, plain], Ct);
        var stored = await Index.GetFileChunksAsync(environment, file, Ct);

        Assert.Equal([0, 1], stored.Select(c => c.ChunkIndex));
        var back = stored[1];
        Assert.Equal(rich.ChunkId, back.ChunkId);
        Assert.Equal(rich.Content, back.Content);
        Assert.Equal(rich.FolderId, back.FolderId);
        Assert.Equal((rich.PageNumber, rich.StartPage, rich.EndPage, rich.TokenCount), (back.PageNumber, back.StartPage, back.EndPage, back.TokenCount));
        Assert.Equal(rich.HeadingPath, back.HeadingPath);
        Assert.Equal((rich.FileName, rich.MimeType, rich.ReferenceId, rich.Category, rich.DocumentType), (back.FileName, back.MimeType, back.ReferenceId, back.Category, back.DocumentType));
        Assert.Equal(rich.Metadata.OrderBy(p => p.Key), back.Metadata.OrderBy(p => p.Key));
        Assert.Equal(rich.Vector.ToArray(), back.Vector.ToArray());
        Assert.Null(stored[0].ReferenceId);
    }

    [Fact]
    public async Task Deleting_a_file_removes_only_its_chunks_and_is_idempotent()
    {
        var environment = await CreatedAsync();
        var gone = Guid.NewGuid();
        var kept = Guid.NewGuid();
        await Index.ReplaceFileChunksAsync(environment, gone, [Chunk(gone, 0, "shared word gone", Axis(8, 0))], Ct);
        await Index.ReplaceFileChunksAsync(environment, kept, [Chunk(kept, 0, "shared word kept", WithCosine(8, 0.5))], Ct);
        await Index.QueryAsync(environment, Query("shared", Axis(8, 0)), Ct);

        await Index.DeleteFileChunksAsync(environment, gone, Ct);
        await Index.DeleteFileChunksAsync(environment, gone, Ct);

        Assert.Equal(0, await Index.CountFileChunksAsync(environment, gone, Ct));
        Assert.Equal(1, await Index.CountFileChunksAsync(environment, kept, Ct));
        var found = await Index.QueryAsync(environment, Query("shared word", Axis(8, 0)), Ct);
        Assert.Equal([kept], found.Select(c => c.Chunk.FileId));
    }

    [Fact]
    public async Task Deleting_the_environment_removes_everything_and_is_idempotent()
    {
        var environment = await CreatedAsync();
        var file = Guid.NewGuid();
        await Index.ReplaceFileChunksAsync(environment, file, [Chunk(file, 0, "doomed passage", Axis(8, 0))], Ct);
        await Index.QueryAsync(environment, Query("doomed", Axis(8, 0)), Ct);

        await Index.DeleteAsync(environment, Ct);
        await Index.DeleteAsync(environment, Ct);

        Assert.Empty(await Index.QueryAsync(environment, Query("doomed", Axis(8, 0)), Ct));
        Assert.Equal(0, await Index.CountFileChunksAsync(environment, file, Ct));
        await Assert.ThrowsAsync<InvalidOperationException>(() => Index.ReplaceFileChunksAsync(environment, file, [Chunk(file, 0, "again", Axis(8, 0))], Ct));

        // A new index may then be built, with any model.
        await Index.CreateAsync(environment, Model(16, "another-model"), Ct);
        Assert.Empty(await Index.QueryAsync(environment, Query("doomed", Axis(16, 0)), Ct));
    }

    [Fact]
    public async Task Environments_never_see_each_others_chunks_even_with_the_same_ids()
    {
        var first = await CreatedAsync();
        var second = await CreatedAsync();
        var file = Guid.NewGuid();
        await Index.ReplaceFileChunksAsync(first, file, [.. Enumerable.Range(0, 3).Select(i => Chunk(file, i, $"apple orchard {i}", Axis(8, i)))], Ct);
        await Index.ReplaceFileChunksAsync(second, file, [.. Enumerable.Range(0, 3).Select(i => Chunk(file, i, $"banana plantation {i}", Axis(8, i)))], Ct);

        var fromFirst = await Index.QueryAsync(first, Query("banana plantation apple", Axis(8, 0), candidates: 50), Ct);
        var bananaInFirst = await Index.QueryAsync(first, Query("banana", Axis(8, 1), candidates: 50), Ct);

        Assert.Equal(3, fromFirst.Count);
        Assert.All(fromFirst, c => Assert.StartsWith("apple", c.Chunk.Content, StringComparison.Ordinal));
        Assert.All(bananaInFirst, c => Assert.Null(c.TextRank));

        await Index.DeleteFileChunksAsync(first, file, Ct);
        await Index.DeleteAsync(first, Ct);
        Assert.Equal(3, await Index.CountFileChunksAsync(second, file, Ct));
        Assert.Equal(3, (await Index.QueryAsync(second, Query("banana", Axis(8, 0), candidates: 50), Ct)).Count(c => c.TextRank is not null));
    }

    // Full text

    [Fact]
    public async Task Bm25_ranks_a_passage_quoting_the_query_above_partial_and_unrelated_ones()
    {
        var environment = await CreatedAsync();
        var file = Guid.NewGuid();
        var exact = Chunk(file, 0, "In every cell the mitochondria is the powerhouse of the cell, producing energy.", Axis(8, 1));
        var partial = Chunk(file, 1, "A prison cell has thick walls and one small window.", Axis(8, 2));
        var unrelated = Chunk(file, 2, "The stock market closed higher on Friday after strong earnings.", Axis(8, 3));
        await Index.ReplaceFileChunksAsync(environment, file, [unrelated, partial, exact], Ct);

        var found = await Index.QueryAsync(environment, Query("the mitochondria is the powerhouse of the cell", null), Ct);

        var ranked = found.Where(c => c.TextRank is not null).OrderBy(c => c.TextRank).ToList();
        Assert.Equal([exact.ChunkId, partial.ChunkId], ranked.Select(c => c.Chunk.ChunkId));
        Assert.True(ranked[0].TextScore > ranked[1].TextScore);
        Assert.All(ranked, c => Assert.True(c.TextScore > 0));
        Assert.DoesNotContain(found, c => c.Chunk.ChunkId == unrelated.ChunkId);
    }

    [Fact]
    public async Task Any_query_word_is_enough_for_a_text_match_and_stopwords_alone_match_nothing()
    {
        var environment = await CreatedAsync();
        var file = Guid.NewGuid();
        await Index.ReplaceFileChunksAsync(environment, file, [Chunk(file, 0, "the banana is on the table", Axis(8, 0))], Ct);

        var partial = await Index.QueryAsync(environment, Query("quantum banana", null), Ct);
        var stopwords = await Index.QueryAsync(environment, Query("the is on", null), Ct);
        var empty = await Index.QueryAsync(environment, Query("", null), Ct);

        Assert.Equal(1, Assert.Single(partial).TextRank);
        Assert.Empty(stopwords);
        Assert.Empty(empty);
    }

    public static TheoryData<string, string[]> HostileQueries => new()
    {
        { "\"", [] },
        { "*", [] },
        { "\"unterminated", [] },
        { "NEAR(", ["near"] },
        { "NEAR(alpha delta, 2)", ["near", "alpha", "delta"] },
        { "a OR b", [] },
        { "alpha AND NOT bravo", ["alpha", "bravo"] },
        { "NOT alpha", ["alpha"] },
        { "-x", ["x"] },
        { "col:val", ["col", "val"] },
        { "{content heading}: delta", ["content", "heading", "delta"] },
        { "alpha*", ["alpha"] },
        { "^delta + (echo)", ["delta", "echo"] },
        { "'); DROP TABLE chunks;--", ["drop", "table", "chunks"] },
        { "🙂🚀", [] },
        { "", [] },
        { "   \t\n", [] },
        { "\0", [] },
    };

    [Theory]
    [MemberData(nameof(HostileQueries))]
    public async Task Query_text_is_never_read_as_search_syntax(string text, string[] words)
    {
        var environment = await CreatedAsync();
        var file = Guid.NewGuid();
        string[] passages =
        [
            "alpha bravo charlie", "delta echo foxtrot", "we met near the river", "col and val are columns",
            "x marks the spot", "table manners matter", "golf hotel india", "content heading summary",
        ];
        await Index.ReplaceFileChunksAsync(environment, file, [.. passages.Select((p, i) => Chunk(file, i, p, Axis(8, i)))], Ct);

        var found = await Index.QueryAsync(environment, Query(text, null, candidates: 50), Ct);

        var expected = passages.Where(p => p.Split(' ').Intersect(words).Any()).Order().ToList();
        Assert.Equal(expected, found.Select(c => c.Chunk.Content).Order().ToList());
        Assert.Equal(passages.Length, await Index.CountFileChunksAsync(environment, file, Ct));
    }

    // Vectors

    [Fact]
    public async Task Vector_ranks_follow_cosine_and_every_candidate_carries_its_similarity()
    {
        var environment = await CreatedAsync();
        var file = Guid.NewGuid();
        double[] cosines = [0.1, 0.95, -0.3, 0.5, 0.7];
        var chunks = cosines.Select((c, i) => Chunk(file, i, i == 2 ? "lonely keyword" : $"passage {i}", WithCosine(8, c, 1 + i))).ToList();
        await Index.ReplaceFileChunksAsync(environment, file, chunks, Ct);

        var found = await Index.QueryAsync(environment, Query("lonely", Axis(8, 0), candidates: 3), Ct);

        var vectorRanked = found.Where(c => c.VectorRank is not null).OrderBy(c => c.VectorRank).ToList();
        Assert.Equal([1, 4, 3], vectorRanked.Select(c => c.Chunk.ChunkIndex));
        Assert.Equal([0.95, 0.7, 0.5], vectorRanked.Select(c => Math.Round(c.VectorSimilarity, 5)));
        var textOnly = Assert.Single(found, c => c.VectorRank is null);
        Assert.Equal(2, textOnly.Chunk.ChunkIndex);
        Assert.Equal(-0.3, textOnly.VectorSimilarity, 5);
        Assert.Equal(1, textOnly.TextRank);
    }

    [Fact]
    public async Task Vector_neighbours_match_a_brute_force_reference()
    {
        const int dimensions = 384;
        var environment = await CreatedAsync(dimensions);
        var random = new Random(20_240_601);
        var files = Enumerable.Range(0, 6).Select(_ => Guid.NewGuid()).ToList();
        var all = new List<IndexedChunk>();
        foreach (var file in files)
        {
            var chunks = Enumerable.Range(0, 500).Select(i => Chunk(file, i, $"chunk {i}", Random(random, dimensions))).ToList();
            await Index.ReplaceFileChunksAsync(environment, file, chunks, Ct);
            all.AddRange(chunks);
        }

        for (var q = 0; q < 5; q++)
        {
            // Half the queries sit near a stored chunk, as real ones do; half are anywhere.
            var query = q % 2 == 0 ? Random(random, dimensions) : Blend(all[random.Next(all.Count)].Vector.ToArray(), Random(random, dimensions), 0.3);
            var expected = all.Select(c => (c.ChunkId, Cosine: Cosine(query, c.Vector.ToArray()))).OrderByDescending(x => x.Cosine).Take(20).ToList();

            var found = await Index.QueryAsync(environment, Query("", query, candidates: 20), Ct);

            var ranked = found.OrderBy(c => c.VectorRank).ToList();
            Assert.Equal(expected.Select(x => x.ChunkId), ranked.Select(c => c.Chunk.ChunkId));
            Assert.All(ranked.Zip(expected), pair => Assert.Equal(pair.Second.Cosine, pair.First.VectorSimilarity, 5));
        }
    }

    // A query vector still being computed

    [Fact]
    public async Task A_query_whose_vector_arrives_later_finds_exactly_what_it_finds_with_the_vector()
    {
        const int dimensions = 32;
        var environment = await CreatedAsync(dimensions);
        var random = new Random(20_261_203);
        var file = Guid.NewGuid();
        string[] words = ["invoice", "refund", "policy", "ledger", "audit", "travel"];
        var chunks = Enumerable.Range(0, 200)
            .Select(i => Chunk(file, i, $"{words[i % words.Length]} {words[i / 7 % words.Length]} passage {i}", Random(random, dimensions), category: i % 3 == 0 ? "policy" : "guide"))
            .ToList();
        await Index.ReplaceFileChunksAsync(environment, file, chunks, Ct);
        var vector = Random(random, dimensions);

        foreach (var query in new[] { Query("refund audit", vector), Query("refund audit", vector, filter: new IndexFilter { Categories = ["policy"] }) })
        {
            var expected = await Index.QueryAsync(environment, query, Ct);
            var pending = new TaskCompletionSource<ReadOnlyMemory<float>>(TaskCreationOptions.RunContinuationsAsynchronously);

            var found = Index.QueryAsync(environment, query with { Vector = ReadOnlyMemory<float>.Empty }, pending.Task, Ct);
            pending.SetResult(vector);

            Assert.Equal(Signals(expected), Signals(await found));
            Assert.Contains(expected, c => c.TextRank is not null && c.VectorRank is null);
        }

        static List<(Guid, double?, int?, double, int?)> Signals(IReadOnlyList<IndexCandidate> found) =>
            [.. found.Select(c => (c.Chunk.ChunkId, c.TextScore, c.TextRank, Math.Round(c.VectorSimilarity, 6), c.VectorRank))];
    }

    [Fact]
    public async Task A_query_vector_that_fails_or_has_another_dimension_fails_the_query()
    {
        var environment = await CreatedAsync();
        var file = Guid.NewGuid();
        await Index.ReplaceFileChunksAsync(environment, file, [Chunk(file, 0, "refund policy", Axis(8, 0))], Ct);
        var pending = new TaskCompletionSource<ReadOnlyMemory<float>>(TaskCreationOptions.RunContinuationsAsynchronously);

        var failing = Index.QueryAsync(environment, Query("refund", null), pending.Task, Ct);
        pending.SetException(new TimeoutException("the model did not answer"));

        var failure = await Assert.ThrowsAsync<TimeoutException>(() => failing);
        Assert.Equal("the model did not answer", failure.Message);
        await Assert.ThrowsAsync<ConflictException>(() => Index.QueryAsync(environment, Query("refund", null), Task.FromResult<ReadOnlyMemory<float>>(Axis(16, 0)), Ct));
    }

    // Filters

    private static readonly string[] DocumentTypes = ["contract", "memo", "report"];
    private static readonly string[] MimeTypes = ["application/pdf", "text/plain", "text/html"];
    private static readonly string[] ReferenceIds = ["ref-0", "ref-1", "ref-2"];
    private static readonly string[] Categories = ["policy", "guide"];
    private static readonly int[] PageNumbers = [.. Enumerable.Range(1, 10)];

    /// <summary>48 chunks whose attributes cycle with different periods, so every combination occurs.</summary>
    private sealed record FilterFixture(Guid Environment, IReadOnlyList<IndexedChunk> Chunks, Guid[] Files, Guid[] Folders);

    private async Task<FilterFixture> FilterFixtureAsync()
    {
        var environment = await CreatedAsync(16);
        var random = new Random(7);
        var files = Enumerable.Range(0, 4).Select(_ => Guid.NewGuid()).ToArray();
        var folders = Enumerable.Range(0, 3).Select(_ => Guid.NewGuid()).ToArray();
        var chunks = new List<IndexedChunk>();
        for (var i = 0; i < 48; i++)
        {
            var file = files[i % 4];
            var metadata = i % 6 == 0
                ? new Dictionary<string, string>()
                : new Dictionary<string, string> { ["team"] = i % 2 == 0 ? "blue" : "red", ["year"] = (2020 + (i % 3)).ToString(System.Globalization.CultureInfo.InvariantCulture) };
            chunks.Add(Chunk(file, i, $"common passage {i}", Random(random, 16), folders[i % 3], i % 2 == 0 ? "application/pdf" : "text/plain",
                i % 5 == 0 ? null : $"ref-{i % 3}", i % 4 == 0 ? null : i % 3 == 0 ? "policy" : "guide", i % 7 == 0 ? null : DocumentTypes[i % 3],
                (i % 10) + 1, metadata));
        }

        foreach (var group in chunks.GroupBy(c => c.FileId))
        {
            await Index.ReplaceFileChunksAsync(environment, group.Key, [.. group], Ct);
        }

        return new FilterFixture(environment, chunks, files, folders);
    }

    private static readonly Dictionary<string, Func<FilterFixture, (IndexFilter Filter, Func<IndexedChunk, bool> Expected)>> FilterCases = new()
    {
        ["none"] = f => (IndexFilter.None, _ => true),
        ["file ids"] = f => (new IndexFilter { FileIds = [f.Files[0], f.Files[2]] }, c => c.FileId == f.Files[0] || c.FileId == f.Files[2]),
        ["folder ids"] = f => (new IndexFilter { FolderIds = [f.Folders[1]] }, c => c.FolderId == f.Folders[1]),
        ["mime types"] = f => (new IndexFilter { MimeTypes = ["text/plain"] }, c => c.MimeType == "text/plain"),
        ["mime types are case-sensitive"] = f => (new IndexFilter { MimeTypes = ["TEXT/PLAIN"] }, _ => false),
        ["reference ids"] = f => (new IndexFilter { ReferenceIds = ["ref-1", "ref-2"] }, c => c.ReferenceId is "ref-1" or "ref-2"),
        ["page numbers"] = f => (new IndexFilter { PageNumbers = [2, 5] }, c => c.PageNumber is 2 or 5),
        ["page range"] = f => (new IndexFilter { Pages = new PageRange(3, 6) }, c => c.PageNumber is >= 3 and <= 6),
        ["page range open above"] = f => (new IndexFilter { Pages = new PageRange(8, null) }, c => c.PageNumber >= 8),
        ["page range open below"] = f => (new IndexFilter { Pages = new PageRange(null, 2) }, c => c.PageNumber <= 2),
        ["categories"] = f => (new IndexFilter { Categories = ["policy"] }, c => c.Category == "policy"),
        ["document types"] = f => (new IndexFilter { DocumentTypes = ["contract", "memo"] }, c => c.DocumentType is "contract" or "memo"),
        ["metadata"] = f => (new IndexFilter { Metadata = new Dictionary<string, string> { ["team"] = "blue" } }, c => c.Metadata.GetValueOrDefault("team") == "blue"),
        ["metadata pairs"] = f => (new IndexFilter { Metadata = new Dictionary<string, string> { ["team"] = "blue", ["year"] = "2021" } },
            c => c.Metadata.GetValueOrDefault("team") == "blue" && c.Metadata.GetValueOrDefault("year") == "2021"),
        ["metadata unknown key"] = f => (new IndexFilter { Metadata = new Dictionary<string, string> { ["colour"] = "blue" } }, _ => false),
        ["empty list"] = f => (new IndexFilter { FileIds = [] }, _ => false),
        ["unknown file"] = f => (new IndexFilter { FileIds = [Guid.NewGuid()] }, _ => false),
        ["folder, mime and pages"] = f => (new IndexFilter { FolderIds = [f.Folders[0]], MimeTypes = ["text/plain"], Pages = new PageRange(1, 5) },
            c => c.FolderId == f.Folders[0] && c.MimeType == "text/plain" && c.PageNumber <= 5),
        ["file, metadata and category"] = f => (new IndexFilter { FileIds = [f.Files[1], f.Files[3]], Metadata = new Dictionary<string, string> { ["team"] = "red" }, Categories = ["guide"] },
            c => (c.FileId == f.Files[1] || c.FileId == f.Files[3]) && c.Metadata.GetValueOrDefault("team") == "red" && c.Category == "guide"),
        ["page numbers within a range"] = f => (new IndexFilter { PageNumbers = [1, 4, 9], Pages = new PageRange(2, 9), DocumentTypes = ["report", "memo"] },
            c => c.PageNumber is 4 or 9 && c.DocumentType is "report" or "memo"),
    };

    public static TheoryData<string> FilterCaseNames => [.. FilterCases.Keys];

    [Theory]
    [MemberData(nameof(FilterCaseNames))]
    public async Task Each_filter_narrows_text_and_vector_candidates_alike(string name)
    {
        var fixture = await FilterFixtureAsync();
        var (filter, matches) = FilterCases[name](fixture);
        var expected = fixture.Chunks.Where(matches).Select(c => c.ChunkId).Order().ToList();

        var found = await Index.QueryAsync(fixture.Environment, Query("common", Random(new Random(1), 16), candidates: 100, filter), Ct);
        var textOnly = await Index.QueryAsync(fixture.Environment, Query("common", null, candidates: 100, filter), Ct);

        Assert.Equal(expected, found.Where(c => c.TextRank is not null).Select(c => c.Chunk.ChunkId).Order().ToList());
        Assert.Equal(expected, found.Where(c => c.VectorRank is not null).Select(c => c.Chunk.ChunkId).Order().ToList());
        Assert.Equal(expected, textOnly.Select(c => c.Chunk.ChunkId).Order().ToList());
    }

    [Fact]
    public async Task Random_filter_combinations_agree_between_text_vector_and_a_reference()
    {
        var fixture = await FilterFixtureAsync();
        var random = new Random(11);
        T[]? Some<T>(T[] values) => random.Next(3) == 0 ? values.Where(_ => random.Next(2) == 0).ToArray() : null;

        for (var round = 0; round < 60; round++)
        {
            var pages = random.Next(3) == 0 ? new PageRange(random.Next(4) == 0 ? null : random.Next(1, 11), random.Next(4) == 0 ? null : random.Next(1, 11)) : null;
            var filter = new IndexFilter
            {
                FileIds = Some(fixture.Files),
                FolderIds = Some(fixture.Folders),
                MimeTypes = Some(MimeTypes),
                ReferenceIds = Some(ReferenceIds),
                PageNumbers = Some(PageNumbers),
                Pages = pages,
                Categories = Some(Categories),
                DocumentTypes = Some(DocumentTypes),
                Metadata = random.Next(3) == 0 ? new Dictionary<string, string> { ["team"] = random.Next(2) == 0 ? "blue" : "red" } : null,
            };
            var expected = fixture.Chunks.Where(c =>
                    (filter.FileIds?.Contains(c.FileId) ?? true)
                    && (filter.FolderIds?.Contains(c.FolderId) ?? true)
                    && (filter.MimeTypes?.Contains(c.MimeType) ?? true)
                    && (filter.ReferenceIds is null || (c.ReferenceId is not null && filter.ReferenceIds.Contains(c.ReferenceId)))
                    && (filter.PageNumbers?.Contains(c.PageNumber) ?? true)
                    && (pages?.From is null || c.PageNumber >= pages.From)
                    && (pages?.To is null || c.PageNumber <= pages.To)
                    && (filter.Categories is null || (c.Category is not null && filter.Categories.Contains(c.Category)))
                    && (filter.DocumentTypes is null || (c.DocumentType is not null && filter.DocumentTypes.Contains(c.DocumentType)))
                    && (filter.Metadata is null || filter.Metadata.All(p => c.Metadata.GetValueOrDefault(p.Key) == p.Value)))
                .Select(c => c.ChunkId).Order().ToList();

            var found = await Index.QueryAsync(fixture.Environment, Query("passage", Random(random, 16), candidates: 100, filter), Ct);

            Assert.Equal(expected, found.Where(c => c.TextRank is not null).Select(c => c.Chunk.ChunkId).Order().ToList());
            Assert.Equal(expected, found.Where(c => c.VectorRank is not null).Select(c => c.Chunk.ChunkId).Order().ToList());
        }
    }

    [Fact]
    public async Task Filter_values_are_data_never_syntax()
    {
        var fixture = await FilterFixtureAsync();
        const string hostile = "'); DROP TABLE chunks;--";
        var filter = new IndexFilter
        {
            MimeTypes = [hostile, "text/plain\" OR 1=1 --"],
            ReferenceIds = ["ref-1' OR '1'='1"],
            Metadata = new Dictionary<string, string> { ["team\"') OR 1=1 --"] = hostile },
        };

        var found = await Index.QueryAsync(fixture.Environment, Query("common", Random(new Random(2), 16), candidates: 100, filter), Ct);

        Assert.Empty(found);
        Assert.Equal(12, await Index.CountFileChunksAsync(fixture.Environment, fixture.Files[0], Ct));
    }

    [Fact]
    public async Task A_filter_is_applied_before_taking_the_best_candidates()
    {
        var environment = await CreatedAsync(384);
        var wantedFolder = Guid.NewGuid();
        var otherFolder = Guid.NewGuid();
        var query = Axis(384, 0);
        var chunks = new List<IndexedChunk>();
        for (var f = 0; f < 10; f++)
        {
            var file = Guid.NewGuid();
            for (var i = 0; i < 100; i++)
            {
                // 50 of 1,000 chunks are in the wanted folder, and every one of them is farther from the query than all the others.
                var wanted = i % 20 == 0;
                var cosine = wanted ? 0.1 + (((f * 100) + i) / 20_000.0) : 0.5 + (((f * 100) + i) / 4_000.0);
                chunks.Add(Chunk(file, i, wanted ? "needle needle in a haystack" : "needle needle needle needle everywhere", WithCosine(384, cosine, 1 + i), wanted ? wantedFolder : otherFolder));
            }

            await Index.ReplaceFileChunksAsync(environment, file, chunks[^100..], Ct);
        }

        var found = await Index.QueryAsync(environment, Query("needle", query, candidates: 10, new IndexFilter { FolderIds = [wantedFolder] }), Ct);

        Assert.Equal(10, found.Count(c => c.TextRank is not null));
        Assert.Equal(10, found.Count(c => c.VectorRank is not null));
        Assert.All(found, c => Assert.Equal(wantedFolder, c.Chunk.FolderId));
        var best = chunks.Where(c => c.FolderId == wantedFolder).OrderByDescending(c => Cosine(query, c.Vector.ToArray())).Take(10).Select(c => c.ChunkId);
        Assert.Equal(best, found.Where(c => c.VectorRank is not null).OrderBy(c => c.VectorRank).Select(c => c.Chunk.ChunkId));
    }

    // Concurrency

    [Fact]
    public async Task Concurrent_writes_and_queries_on_shared_and_separate_environments_stay_consistent()
    {
        var shared = await CreatedAsync(32);
        var separate = await CreatedAsync(32);
        var files = Enumerable.Range(0, 4).Select(_ => Guid.NewGuid()).ToArray();
        await Index.QueryAsync(shared, Query("warm", Axis(32, 0)), Ct);

        var writers = files.Select((file, w) => Task.Run(async () =>
        {
            var random = new Random(w);
            for (var round = 0; round < 15; round++)
            {
                var count = random.Next(1, 20);
                var chunks = Enumerable.Range(0, count).Select(i => Chunk(file, i, $"round {round} writer {w} text", Random(random, 32))).ToList();
                await Index.ReplaceFileChunksAsync(shared, file, chunks, Ct);
                await Index.ReplaceFileChunksAsync(separate, file, chunks, Ct);
                if (round % 5 == 4)
                {
                    await Index.DeleteFileChunksAsync(shared, file, Ct);
                }
            }

            await Index.ReplaceFileChunksAsync(shared, file, [.. Enumerable.Range(0, 10).Select(i => Chunk(file, i, $"final writer {w}", Random(random, 32)))], Ct);
        }, Ct));
        var readers = Enumerable.Range(0, 4).Select(r => Task.Run(async () =>
        {
            var random = new Random(100 + r);
            for (var i = 0; i < 40; i++)
            {
                var found = await Index.QueryAsync(i % 2 == 0 ? shared : separate, Query("writer text", Random(random, 32), candidates: 20), Ct);
                Assert.Equal(found.Count, found.Select(c => c.Chunk.ChunkId).Distinct().Count());
            }
        }, Ct));
        await Task.WhenAll(writers.Concat(readers));

        foreach (var file in files)
        {
            Assert.Equal(10, await Index.CountFileChunksAsync(shared, file, Ct));
        }

        var everything = await Index.QueryAsync(shared, Query("final", Axis(32, 0), candidates: 100), Ct);
        Assert.Equal(40, everything.Count(c => c.VectorRank is not null));
        Assert.Equal(40, everything.Count(c => c.TextRank is not null));
        Assert.Equal(40, everything.Select(c => c.Chunk.ChunkId).Distinct().Count());
    }

    [Fact]
    public async Task Deleting_an_environment_while_it_is_queried_fails_no_query()
    {
        var environment = await CreatedAsync(32);
        var file = Guid.NewGuid();
        var random = new Random(8);
        await Index.ReplaceFileChunksAsync(environment, file, [.. Enumerable.Range(0, 200).Select(i => Chunk(file, i, $"passage {i}", Random(random, 32)))], Ct);
        var deleted = new TaskCompletionSource();

        var readers = Enumerable.Range(0, 4).Select(r => Task.Run(async () =>
        {
            var afterDeletion = 0;
            while (afterDeletion < 10)
            {
                var wasDeleted = deleted.Task.IsCompleted;
                var found = await Index.QueryAsync(environment, Query("passage", Axis(32, r), candidates: 5), Ct);
                if (wasDeleted)
                {
                    Assert.Empty(found);
                    afterDeletion++;
                }
            }
        }, Ct)).ToList();
        await Index.QueryAsync(environment, Query("passage", Axis(32, 0)), Ct);
        await Index.DeleteAsync(environment, Ct);
        deleted.SetResult();

        await Task.WhenAll(readers);
        Assert.Empty(await Index.QueryAsync(environment, Query("passage", Axis(32, 0)), Ct));
    }

    protected async Task<Guid> CreatedAsync(int dimensions = 8)
    {
        var environment = Guid.NewGuid();
        await Index.CreateAsync(environment, Model(dimensions), Ct);
        return environment;
    }

    private static float[] Blend(float[] a, float[] b, double weightOfB)
    {
        var blended = a.Zip(b, (x, y) => (float)(((1 - weightOfB) * x) + (weightOfB * y))).ToArray();
        var norm = (float)Math.Sqrt(blended.Sum(x => (double)x * x));
        return [.. blended.Select(x => x / norm)];
    }
}
