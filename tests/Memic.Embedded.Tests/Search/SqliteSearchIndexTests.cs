using Memic.Core.Errors;
using Memic.Core.Ports;
using Memic.Core.Search;
using Memic.Embedded.Search;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using static Memic.Embedded.Tests.Search.TestChunks;

namespace Memic.Embedded.Tests.Search;

public sealed class SqliteSearchIndexTests : SearchIndexContract, IDisposable
{
    private readonly TemporaryDirectory _directory = new();
    private readonly List<SqliteSearchIndex> _indexes = [];
    private readonly SqliteSearchIndex _index;

    public SqliteSearchIndexTests() => _index = NewIndex();

    protected override ISearchIndex Index => _index;

    public void Dispose()
    {
        foreach (var index in _indexes)
        {
            index.Dispose();
        }

        _directory.Dispose();
    }

    [Fact]
    public async Task Words_in_most_chunks_of_a_large_index_do_not_crowd_out_a_rare_word_on_the_text_side()
    {
        // 6,000 chunks all say "widget"; only two also say "sprocket". Both words are in the query, and the vector
        // points away from every chunk, so what comes back as text hits shows which words the text side searched.
        var environment = await CreatedAsync();
        var file = Guid.NewGuid();
        var chunks = Enumerable.Range(0, 6_000).Select(i =>
            Chunk(file, i, i is 17 or 4321 ? $"widget {i} with a sprocket" : $"widget number {i}", Axis(8, 1))).ToList();
        await Index.ReplaceFileChunksAsync(environment, file, chunks, Ct);

        var both = await Index.QueryAsync(environment, Query("widget sprocket", Axis(8, 0), candidates: 10), Ct);
        var commonOnly = await Index.QueryAsync(environment, Query("widget", Axis(8, 0), candidates: 10), Ct);

        Assert.Equal([17, 4321], both.Where(c => c.TextScore is not null).Select(c => c.Chunk.ChunkIndex).Order());
        Assert.Equal(10, commonOnly.Count(c => c.TextScore is not null));
    }

    [Fact]
    public async Task A_word_that_a_write_makes_common_is_left_out_of_the_next_query()
    {
        // "gear" is rare until a second file says it in 5,500 chunks; the query before the write counted it, and that
        // count must not outlive the write.
        var environment = await CreatedAsync();
        var first = Guid.NewGuid();
        var chunks = Enumerable.Range(0, 6_000).Select(i =>
            Chunk(first, i, i switch { 17 or 4321 => $"widget {i} with a sprocket", 5 or 6 => $"widget {i} with a gear", _ => $"widget number {i}" }, Axis(8, 1))).ToList();
        await Index.ReplaceFileChunksAsync(environment, first, chunks, Ct);
        var before = await Index.QueryAsync(environment, Query("gear sprocket", Axis(8, 0), candidates: 10), Ct);

        var second = Guid.NewGuid();
        await Index.ReplaceFileChunksAsync(environment, second, [.. Enumerable.Range(0, 5_500).Select(i => Chunk(second, i, $"gear {i}", Axis(8, 1)))], Ct);
        var after = await Index.QueryAsync(environment, Query("gear sprocket", Axis(8, 0), candidates: 10), Ct);

        Assert.Equal([5, 6, 17, 4321], before.Where(c => c.TextScore is not null).Select(c => c.Chunk.ChunkIndex).Order());
        Assert.Equal([17, 4321], after.Where(c => c.TextScore is not null).Select(c => c.Chunk.ChunkIndex).Order());
    }

    [Fact]
    public async Task The_index_is_one_file_in_the_environment_folder_and_deleting_the_environment_removes_the_folder()
    {
        var environment = await CreatedAsync();
        var file = Guid.NewGuid();
        await Index.ReplaceFileChunksAsync(environment, file, [Chunk(file, 0, "kept on disk", Axis(8, 0))], Ct);
        await Index.QueryAsync(environment, Query("kept", Axis(8, 0)), Ct);
        var folder = Path.Combine(_directory.Path, "environments", environment.ToString("D"));
        Assert.True(File.Exists(Path.Combine(folder, "index.db")));

        await Index.DeleteAsync(environment, Ct);

        Assert.False(Directory.Exists(folder));
        if (OperatingSystem.IsLinux())
        {
            // Pooled connections were closed, not just the files unlinked under them.
            var open = Directory.EnumerateFileSystemEntries("/proc/self/fd").Select(fd => new FileInfo(fd).LinkTarget).Where(t => t?.StartsWith(folder, StringComparison.Ordinal) == true);
            Assert.Empty(open);
        }
    }

    [Fact]
    public async Task Queries_running_during_deletion_never_bring_the_file_back()
    {
        var environment = await CreatedAsync();
        var file = Guid.NewGuid();
        await Index.ReplaceFileChunksAsync(environment, file, [.. Enumerable.Range(0, 50).Select(i => Chunk(file, i, $"passage {i}", Axis(8, i % 8)))], Ct);
        using var stop = new CancellationTokenSource();
        var readers = Enumerable.Range(0, 6).Select(r => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await Index.QueryAsync(environment, Query("passage", Axis(8, r)), Ct);
                await Index.CountFileChunksAsync(environment, file, Ct);
            }
        }, Ct)).ToList();

        await Index.QueryAsync(environment, Query("passage", Axis(8, 0)), Ct);
        await Index.DeleteAsync(environment, Ct);
        await stop.CancelAsync();
        await Task.WhenAll(readers);

        Assert.False(Directory.Exists(Path.Combine(_directory.Path, "environments", environment.ToString("D"))));
    }

    [Fact]
    public async Task The_model_is_recorded_in_the_file_and_checked_by_a_new_process()
    {
        var environment = await CreatedAsync();
        var file = Guid.NewGuid();
        await Index.ReplaceFileChunksAsync(environment, file, [Chunk(file, 0, "persisted passage", Axis(8, 0))], Ct);

        var restarted = NewIndex();

        await Assert.ThrowsAsync<ConflictException>(() => restarted.CreateAsync(environment, Model(384, "all-MiniLM-L6-v2"), Ct));
        await restarted.CreateAsync(environment, Model(8), Ct);
        var found = Assert.Single(await restarted.QueryAsync(environment, Query("persisted", Axis(8, 0)), Ct));
        Assert.Equal((1, 1), (found.TextRank, found.VectorRank));
    }

    [Fact]
    public async Task A_write_by_another_instance_reaches_this_instances_vector_cache()
    {
        var environment = await CreatedAsync();
        var file = Guid.NewGuid();
        await Index.ReplaceFileChunksAsync(environment, file, [Chunk(file, 0, "before", Axis(8, 0))], Ct);
        Assert.Equal("before", Assert.Single(await Index.QueryAsync(environment, Query("", Axis(8, 1)), Ct)).Chunk.Content);

        await NewIndex().ReplaceFileChunksAsync(environment, file, [Chunk(file, 0, "after", Axis(8, 1))], Ct);

        var found = Assert.Single(await Index.QueryAsync(environment, Query("", Axis(8, 1)), Ct));
        Assert.Equal("after", found.Chunk.Content);
        Assert.Equal(1.0, found.VectorSimilarity, 6);
    }

    [Fact]
    public async Task A_vector_cache_kept_up_by_writes_answers_like_a_fresh_load_and_a_brute_force_scan()
    {
        const int dimensions = 64;
        var environment = await CreatedAsync(dimensions);
        var random = new Random(3);
        var files = Enumerable.Range(0, 30).Select(_ => Guid.NewGuid()).ToArray();
        var state = new Dictionary<Guid, List<IndexedChunk>>();
        async Task ReplaceAsync(Guid file, int count)
        {
            var chunks = Enumerable.Range(0, count).Select(i => Chunk(file, i, $"text {i}", Random(random, dimensions), page: random.Next(1, 5))).ToList();
            await Index.ReplaceFileChunksAsync(environment, file, chunks, Ct);
            state[file] = chunks;
        }

        foreach (var file in files)
        {
            await ReplaceAsync(file, 50);
        }

        await Index.QueryAsync(environment, Query("", Random(random, dimensions)), Ct);
        for (var step = 0; step < 80; step++)
        {
            var file = files[random.Next(files.Length)];
            if (random.Next(4) == 0)
            {
                await Index.DeleteFileChunksAsync(environment, file, Ct);
                state.Remove(file);
            }
            else
            {
                await ReplaceAsync(file, random.Next(0, 90));
            }
        }

        var fresh = NewIndex();
        var filter = new IndexFilter { PageNumbers = [2, 3] };
        for (var q = 0; q < 6; q++)
        {
            var query = Query("", Random(random, dimensions), candidates: 25, q % 2 == 0 ? IndexFilter.None : filter);
            var expected = state.Values.SelectMany(c => c)
                .Where(c => q % 2 == 0 || c.PageNumber is 2 or 3)
                .OrderByDescending(c => Cosine(query.Vector.ToArray(), c.Vector.ToArray())).Take(25).Select(c => c.ChunkId).ToList();

            var warm = await Index.QueryAsync(environment, query, Ct);
            var cold = await fresh.QueryAsync(environment, query, Ct);

            Assert.Equal(expected, warm.OrderBy(c => c.VectorRank).Select(c => c.Chunk.ChunkId));
            Assert.Equal(expected, cold.OrderBy(c => c.VectorRank).Select(c => c.Chunk.ChunkId));
        }
    }

    [Fact]
    public async Task Writes_leave_rows_text_and_vectors_in_step()
    {
        var environment = await CreatedAsync();
        var kept = Guid.NewGuid();
        var gone = Guid.NewGuid();
        await Index.ReplaceFileChunksAsync(environment, kept, [.. Enumerable.Range(0, 6).Select(i => Chunk(kept, i, $"kept {i}", Axis(8, i)))], Ct);
        await Index.ReplaceFileChunksAsync(environment, kept, [.. Enumerable.Range(0, 4).Select(i => Chunk(kept, i, $"kept {i}", Axis(8, i)))], Ct);
        await Index.ReplaceFileChunksAsync(environment, gone, [.. Enumerable.Range(0, 5).Select(i => Chunk(gone, i, $"gone {i}", Axis(8, i)))], Ct);
        await Index.DeleteFileChunksAsync(environment, gone, Ct);

        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_directory.Path, "environments", environment.ToString("D"), "index.db")};Pooling=False");
        await connection.OpenAsync(Ct);
        async Task<long> CountAsync(string sql)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            return (long)(await command.ExecuteScalarAsync(Ct))!;
        }

        Assert.Equal(4, await CountAsync("SELECT count(*) FROM chunks"));
        Assert.Equal(4, await CountAsync("SELECT count(*) FROM chunk_vectors"));
        Assert.Equal(4, await CountAsync("SELECT count(*) FROM chunks_fts"));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM chunk_vectors WHERE id NOT IN (SELECT id FROM chunks)"));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH 'gone'"));
        Assert.Equal(4, await CountAsync("SELECT generation FROM index_info"));
    }

    [Fact]
    public async Task Headings_and_file_names_are_searched_but_weigh_less_than_the_passage()
    {
        var environment = await CreatedAsync();
        var inFileName = Guid.NewGuid();
        var inHeading = Guid.NewGuid();
        var inContent = Guid.NewGuid();
        await Index.ReplaceFileChunksAsync(environment, inFileName, [Chunk(inFileName, 0, "striped animals of the savanna", Axis(8, 0), fileName: "zebra.pdf")], Ct);
        await Index.ReplaceFileChunksAsync(environment, inHeading, [Chunk(inHeading, 0, "striped animals of the savanna", Axis(8, 1), headingPath: ["Zebra"])], Ct);
        await Index.ReplaceFileChunksAsync(environment, inContent, [Chunk(inContent, 0, "zebra animals of the savanna", Axis(8, 2))], Ct);

        var found = await Index.QueryAsync(environment, Query("zebra", null), Ct);

        Assert.Equal([inContent, inHeading, inFileName], found.OrderBy(c => c.TextRank).Select(c => c.Chunk.FileId));
    }

    [Theory]
    [InlineData("creme brulee")]
    [InlineData("CRÈME")]
    [InlineData("cafe\u0301")]
    [InlineData("cafés")]
    public async Task Text_matches_ignore_case_diacritics_and_english_inflection(string text)
    {
        var environment = await CreatedAsync();
        var file = Guid.NewGuid();
        await Index.ReplaceFileChunksAsync(environment, file, [Chunk(file, 0, "Crème brûlée at the café", Axis(8, 0)), Chunk(file, 1, "unrelated", Axis(8, 1))], Ct);

        var found = await Index.QueryAsync(environment, Query(text, null), Ct);

        Assert.Equal(0, Assert.Single(found).Chunk.ChunkIndex);
    }

    [Fact]
    public async Task Bad_arguments_are_refused_before_touching_the_index()
    {
        var environment = await CreatedAsync();
        var file = Guid.NewGuid();

        await Assert.ThrowsAsync<ArgumentException>(() => Index.ReplaceFileChunksAsync(environment, file, [Chunk(Guid.NewGuid(), 0, "other file", Axis(8, 0))], Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Index.QueryAsync(environment, Query("x", Axis(8, 0), candidates: 0), Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Index.CreateAsync(Guid.NewGuid(), Model(0), Ct));
    }

    private SqliteSearchIndex NewIndex()
    {
        var index = new SqliteSearchIndex(Options.Create(new EmbeddedOptions { DataDirectory = _directory.Path }));
        _indexes.Add(index);
        return index;
    }
}
