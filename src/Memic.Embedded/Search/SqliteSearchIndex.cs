using System.Collections.Concurrent;
using System.Numerics.Tensors;
using System.Text.Json;
using Memic.Core.Errors;
using Memic.Core.Ports;
using Memic.Core.Search;
using Memic.Embedded.Internals;
using Memic.Embedded.Search.Internals;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Memic.Embedded.Search;

/// <summary>
/// The embedded search index: one SQLite file per environment, <c>&lt;data&gt;/environments/&lt;id&gt;/index.db</c>.
/// </summary>
/// <remarks>
/// <para>
/// Storage. <c>chunks</c> holds every field of a chunk (heading path and metadata as JSON; ids never reused);
/// <c>chunk_vectors</c> holds its float32 vector, apart so that row reads never page through vectors;
/// <c>chunks_fts</c> is a contentless FTS5 table (content, heading path, file name; porter + unicode61 without
/// diacritics) with <c>contentless_delete</c>, written in the same transaction as the rows; <c>index_info</c>
/// records the model, the dimension and a generation that every write increments.
/// </para>
/// <para>
/// Vectors. A per-environment, lazily loaded, immutable snapshot holds every vector as int8 codes with a scale
/// (a quarter of float32's bytes: 100k × 384 is 38 MB) plus dictionary-encoded filter columns. A query
/// quantises its vector to int16, scores only the rows that pass the filter with an AVX2 integer dot product
/// (on both cores above 32k rows when no full-text query runs beside it), keeps the best 4 × candidates (at least
/// candidates + 32) and re-scores those exactly with
/// <see cref="TensorPrimitives.CosineSimilarity(ReadOnlySpan{float}, ReadOnlySpan{float})"/> on their stored
/// float32 vectors. Writes derive the next snapshot instead of reloading (old rows marked deleted, new rows
/// appended as a segment, small segments merged); a generation gap (a write by another process or instance)
/// makes the next query reload it.
/// </para>
/// <para>
/// Full text. User text never reaches FTS5 as syntax: <see cref="FtsQuery"/> keeps only words, quotes each and
/// ORs them. BM25 (lower is better in SQLite) is negated into a positive score. The full-text half starts while
/// the query's vector may still be being computed (the port's overload taking it as a task), so the embedding
/// overlaps BM25 instead of preceding it.
/// </para>
/// <para>
/// Filters are decided once per query in memory (<see cref="SegmentFilter"/>) and restrict both lists before
/// their top candidates are taken: the scan visits only passing rows, and the full-text query receives them as
/// a row id range plus a byte-per-row BLOB parameter. No filter value ever becomes SQL text.
/// </para>
/// <para>
/// Concurrency. Writes, cache loads and deletion of one environment are serialised by its lock; queries take none
/// (WAL readers, immutable snapshots). Environments share nothing but the dictionary of open indexes.
/// </para>
/// </remarks>
public sealed class SqliteSearchIndex : ISearchIndex, IDisposable
{
    /// <summary>Beyond this the int16 query codes lose precision (see <see cref="Int8Vectors.QuantizeQuery"/>).</summary>
    public const int MaxDimensions = 16_384;

    /// <summary>Headings and file names count, but less than the passage. Written out rather than configured as
    /// FTS5's <c>rank</c>: the configured form measured 1.7× slower.</summary>
    private const string Bm25 = "bm25(chunks_fts, 1.0, 0.5, 0.25)";

    private const string BumpGeneration = "UPDATE index_info SET generation = generation + 1 WHERE id = 1 RETURNING generation";

    private readonly string _environmentsRoot;
    private readonly ConcurrentDictionary<Guid, EnvironmentIndex> _environments = new();

    /// <summary>Guards registering an environment against a deletion in progress, so no new handle reopens its file.</summary>
    private readonly Lock _registry = new();
    private readonly HashSet<Guid> _deleting = [];

    public SqliteSearchIndex(IOptions<EmbeddedOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _environmentsRoot = Path.Combine(options.Value.FullDataDirectory, "environments");
    }

    public async Task CreateAsync(Guid environmentId, EmbeddingModelInfo model, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(model.ModelId);
        ArgumentOutOfRangeException.ThrowIfLessThan(model.Dimensions, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(model.Dimensions, MaxDimensions);
        var wanted = new IndexModel(model.ModelId, model.Dimensions);

        while (true)
        {
            var environment = Registered(environmentId);
            if (environment.IsGone && environment.Model is not null)
            {
                Forget(environmentId, environment);
                continue;
            }

            if (environment.Model is { } known)
            {
                EnsureSameModel(environmentId, known, wanted);
                return;
            }

            await environment.WriteLock.WaitAsync(cancellationToken);
            try
            {
                if (environment.IsClosed)
                {
                    continue;
                }

                environment.Model = await InitializeAsync(environment, wanted, cancellationToken);
            }
            finally
            {
                environment.WriteLock.Release();
            }

            EnsureSameModel(environmentId, environment.Model, wanted);
            return;
        }
    }

    public async Task DeleteAsync(Guid environmentId, CancellationToken cancellationToken)
    {
        EnvironmentIndex? environment;
        lock (_registry)
        {
            _deleting.Add(environmentId);
            _environments.TryRemove(environmentId, out environment);
        }

        try
        {
            if (environment is not null)
            {
                await environment.CloseAsync(cancellationToken);
            }

            DeleteFiles(DirectoryOf(environmentId));
        }
        finally
        {
            lock (_registry)
            {
                _deleting.Remove(environmentId);
            }
        }
    }

    public async Task ReplaceFileChunksAsync(Guid environmentId, Guid fileId, IReadOnlyList<IndexedChunk> chunks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        foreach (var chunk in chunks)
        {
            ArgumentNullException.ThrowIfNull(chunk, nameof(chunks));
            if (chunk.FileId != fileId)
            {
                throw new ArgumentException($"Chunk {chunk.ChunkId} belongs to file {chunk.FileId}, not {fileId}.", nameof(chunks));
            }
        }

        var metadata = chunks.Select(c => ChunkRows.MetadataJson(c.Metadata)).ToArray();
        await WriteAsync(environmentId, fileId, requireIndex: true, async (model, connection) =>
        {
            foreach (var chunk in chunks)
            {
                if (chunk.Vector.Length != model.Dimensions)
                {
                    throw DimensionConflict(environmentId, model, chunk.Vector.Length);
                }
            }

            await DeleteRowsAsync(connection, fileId, cancellationToken);
            var rowIds = await InsertRowsAsync(connection, chunks, metadata, cancellationToken);
            return () => Segment(model, chunks, rowIds, metadata);
        }, cancellationToken);
    }

    /// <summary>Also a no-op when the environment has no index yet: a file can be deleted before it was ever indexed.</summary>
    public Task DeleteFileChunksAsync(Guid environmentId, Guid fileId, CancellationToken cancellationToken) =>
        WriteAsync(environmentId, fileId, requireIndex: false, async (_, connection) =>
        {
            await DeleteRowsAsync(connection, fileId, cancellationToken);
            return static () => null;
        }, cancellationToken);

    public async Task<int> CountFileChunksAsync(Guid environmentId, Guid fileId, CancellationToken cancellationToken) =>
        await ReadAsync(environmentId, 0, async (_, connection) =>
        {
            await using var command = connection.Command("SELECT count(*) FROM chunks WHERE file_id = $file", ("$file", fileId));
            return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        }, cancellationToken);

    public Task<IReadOnlyList<IndexedChunk>> GetFileChunksAsync(Guid environmentId, Guid fileId, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<IndexedChunk>>(environmentId, [], async (_, connection) => await connection.QueryAsync(
            $"SELECT {ChunkRows.Columns} FROM chunks c JOIN chunk_vectors v ON v.id = c.id WHERE c.file_id = $file ORDER BY c.chunk_index, c.id",
            reader => ChunkRows.Read(reader).Chunk,
            cancellationToken,
            ("$file", fileId)), cancellationToken);

    /// <summary>
    /// The best <see cref="IndexQuery.Candidates"/> full-text matches and the best as many vector neighbours, both
    /// restricted by the filter, as one list ordered by vector similarity (then text score). An empty query vector
    /// gives a text-only result with similarity 0; the vector must otherwise have the index's dimension.
    /// </summary>
    public Task<IReadOnlyList<IndexCandidate>> QueryAsync(Guid environmentId, IndexQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        return HybridQueryAsync(environmentId, query, query.Vector.IsEmpty ? null : Task.FromResult(query.Vector), cancellationToken);
    }

    /// <summary>
    /// As <see cref="QueryAsync(Guid, IndexQuery, CancellationToken)"/>, with the full-text half (common-term
    /// lookup and BM25) running while <paramref name="vector"/> is still computed; the vector scan starts when it arrives.
    /// </summary>
    public Task<IReadOnlyList<IndexCandidate>> QueryAsync(
        Guid environmentId, IndexQuery query, Task<ReadOnlyMemory<float>> vector, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(vector);
        return HybridQueryAsync(environmentId, query, vector, cancellationToken);
    }

    public void Dispose()
    {
        foreach (var environment in _environments.Values)
        {
            environment.Dispose();
        }

        _environments.Clear();
    }

    /// <param name="vector">The query vector, possibly not computed yet; null for a text-only query.</param>
    private async Task<IReadOnlyList<IndexCandidate>> HybridQueryAsync(
        Guid environmentId, IndexQuery query, Task<ReadOnlyMemory<float>>? vector, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Candidates, 1);
        return await ReadAsync<IReadOnlyList<IndexCandidate>>(environmentId, [], async (environment, connection) =>
        {
            // One read transaction: the rows re-scored and fetched are those of the generation read here.
            await using var transaction = connection.BeginTransaction(deferred: true);
            if (await ReadStateAsync(connection, cancellationToken) is not { } state)
            {
                return [];
            }

            var (model, generation) = state;
            var terms = FtsQuery.Terms(query.Text);
            var filter = SegmentFilter.From(query.Filter);

            // One filtered selection serves both lists, so text and vector candidates pass exactly the same rows.
            var snapshot = vector is not null || (terms.Count > 0 && filter is not null)
                ? await environment.SnapshotAsync(generation, model.Dimensions, cancellationToken)
                : null;
            var selection = snapshot is null ? null : VectorScanner.Select(snapshot, filter);
            var textRows = selection is null || selection.Count == snapshot!.LiveCount ? null : selection;

            // The in-memory scan runs beside the full-text half, which holds the connection; re-scoring then reads it.
            var scan = vector is null
                ? null
                : Task.Run(() => ScanAsync(environmentId, model, vector, selection!, query.Candidates, allowParallel: terms.Count == 0, cancellationToken), cancellationToken);
            IReadOnlyList<(long RowId, double Score)> textHits;
            try
            {
                var match = FtsQuery.Match(snapshot is { LiveCount: > CommonTermFloor } && terms.Count > 1
                    ? await WithoutCommonTermsAsync(connection, environment.TermCountsAt(generation), terms, snapshot.LiveCount, cancellationToken)
                    : terms);
                textHits = match is null ? [] : await TextSearchAsync(connection, match, query.Candidates, textRows, cancellationToken);
            }
            catch
            {
                if (scan is not null)
                {
                    await ((Task)scan).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }

                throw;
            }

            var (queryVector, approximate) = scan is null ? (ReadOnlyMemory<float>.Empty, []) : await scan;
            var vectorHits = await RescoreAsync(connection, queryVector, query.Candidates, approximate, cancellationToken);
            return await FetchAsync(connection, queryVector, textHits, vectorHits, cancellationToken);
        }, cancellationToken);
    }

    /// <summary>
    /// The query vector once computed, and the best rows of the selection by the int8 scan: 4 × candidates (at least
    /// candidates + 32), for re-scoring. A vector of another dimension than the index's is a conflict.
    /// </summary>
    private static async Task<(ReadOnlyMemory<float> Vector, IReadOnlyList<ScoredRow> Rows)> ScanAsync(
        Guid environmentId, IndexModel model, Task<ReadOnlyMemory<float>> pending, ScanSelection selection, int candidates, bool allowParallel, CancellationToken cancellationToken)
    {
        var vector = await pending;
        if (vector.IsEmpty)
        {
            return (vector, []);
        }

        if (vector.Length != model.Dimensions)
        {
            throw DimensionConflict(environmentId, model, vector.Length);
        }

        var codes = new short[Int8Vectors.StrideOf(model.Dimensions)];
        var scale = Int8Vectors.QuantizeQuery(vector.Span, codes);
        var rescored = Math.Max(candidates * 4, candidates + 32);
        return (vector, scale == 0 ? [] : VectorScanner.Top(selection, codes, scale, rescored, allowParallel, cancellationToken));
    }

    /// <summary>
    /// Below this many chunks BM25 over every matching row is cheap, and every term stays in the query.
    /// </summary>
    private const int CommonTermFloor = 5_000;

    /// <summary>A term in more than this share of the chunks is left out of the full-text side of a query.</summary>
    private const double CommonTermShare = 0.10;

    /// <summary>
    /// The terms without those found in more than <see cref="CommonTermShare"/> of <paramref name="liveRows"/> chunks
    /// (at least <see cref="CommonTermFloor"/>), keeping the rarest when every term is common. FTS5 computes BM25 for
    /// every row matching any term, so one common word made the text side cost ~20 ms at 100k chunks; such a word
    /// ranks little under BM25 anyway, the vector side still sees the whole query, and the relevance score still
    /// counts every query word. Terms are stemmed by the index's own tokenizer, through a scratch FTS5 table in the
    /// connection's temp schema, so they meet the index's per-term document counts; counts taken since the last write
    /// are reused (<see cref="TermChunkCounts"/>).
    /// </summary>
    private static async Task<IReadOnlyList<string>> WithoutCommonTermsAsync(
        SqliteConnection connection, TermChunkCounts known, IReadOnlyList<string> terms, int liveRows, CancellationToken cancellationToken)
    {
        var chunks = new long?[terms.Count];
        var missing = new List<int>(terms.Count);
        for (var i = 0; i < terms.Count; i++)
        {
            if (!known.TryGet(terms[i], out chunks[i]))
            {
                missing.Add(i);
            }
        }

        if (missing.Count > 0)
        {
            await connection.ExecuteAsync(
                """
                CREATE VIRTUAL TABLE IF NOT EXISTS temp.query_terms USING fts5 (term, tokenize = 'porter unicode61 remove_diacritics 2');
                CREATE VIRTUAL TABLE IF NOT EXISTS temp.query_term_stems USING fts5vocab (temp, query_terms, 'instance');
                DELETE FROM temp.query_terms;
                INSERT INTO temp.query_terms (rowid, term) SELECT key + 1, value FROM json_each($terms);
                """,
                cancellationToken,
                ("$terms", JsonSerializer.Serialize(missing.Select(i => terms[i]))));
            var counted = await connection.QueryAsync(
                """
                SELECT s.doc AS term_row, max(coalesce(t.doc, 0)) AS chunks
                FROM temp.query_term_stems s LEFT JOIN main.chunks_fts_terms t ON t.term = s.term
                GROUP BY s.doc
                """,
                r => (Index: missing[(int)r.GetInt64(0) - 1], Chunks: r.GetInt64(1)),
                cancellationToken);
            foreach (var (index, count) in counted)
            {
                chunks[index] = count;
            }

            foreach (var index in missing)
            {
                known.Add(terms[index], chunks[index]);
            }
        }

        // A word the tokenizer keeps no stem of has no count and is left out, unless no word has one.
        var counts = chunks.Select((count, index) => (Index: index, Chunks: count)).Where(c => c.Chunks is not null).Select(c => (c.Index, Chunks: c.Chunks!.Value)).ToList();
        if (counts.Count == 0)
        {
            return terms;
        }

        var limit = Math.Max(CommonTermFloor, liveRows * CommonTermShare);
        var kept = counts.Where(c => c.Chunks <= limit).OrderBy(c => c.Index).Select(c => terms[c.Index]).ToList();
        return kept.Count > 0 ? kept : [terms[counts.OrderBy(c => c.Chunks).First().Index]];
    }

    /// <summary>
    /// The best full-text matches among the rows <paramref name="selection"/> lets through (all rows when null).
    /// The selection travels as one BLOB parameter holding a byte per row id over the range it spans: FTS5 seeks
    /// to the range, and SQLite checks one byte per match before computing its BM25 (measured 5× faster at 100k
    /// than joining <c>chunks</c> to test the filter columns, and the same rows the vector side scores).
    /// </summary>
    private static async Task<IReadOnlyList<(long RowId, double Score)>> TextSearchAsync(
        SqliteConnection connection, string match, int candidates, ScanSelection? selection, CancellationToken cancellationToken)
    {
        if (selection is null)
        {
            return await connection.QueryAsync(
                $"SELECT rowid, {Bm25} AS score FROM chunks_fts WHERE chunks_fts MATCH $match ORDER BY score LIMIT $limit",
                Read, cancellationToken, ("$match", match), ("$limit", candidates));
        }

        if (selection.AllowedRowIds() is not { } rows)
        {
            return [];
        }

        var (first, allowed) = rows;
        return await connection.QueryAsync(
            $"""
            SELECT rowid, {Bm25} AS score FROM chunks_fts
            WHERE chunks_fts MATCH $match AND rowid BETWEEN $first AND $last AND substr($allowed, rowid - $first + 1, 1) = x'01'
            ORDER BY score LIMIT $limit
            """,
            Read, cancellationToken, ("$match", match), ("$limit", candidates), ("$first", first), ("$last", first + allowed.Length - 1), ("$allowed", allowed));

        static (long, double) Read(SqliteDataReader reader) => (reader.GetInt64(0), -reader.GetDouble(1));
    }

    /// <summary>The exact cosine of the scan's best rows from their float32 vectors, best <paramref name="candidates"/> kept.</summary>
    private static async Task<IReadOnlyList<(long RowId, double Similarity)>> RescoreAsync(
        SqliteConnection connection, ReadOnlyMemory<float> queryVector, int candidates, IReadOnlyList<ScoredRow> approximate, CancellationToken cancellationToken)
    {
        if (approximate.Count == 0)
        {
            return [];
        }

        var exact = await connection.QueryAsync(
            "SELECT id, vector FROM chunk_vectors WHERE id IN (SELECT value FROM json_each($ids))",
            reader => (RowId: reader.GetInt64(0), Similarity: Cosine(queryVector.Span, ChunkRows.VectorOf(reader, 1))),
            cancellationToken,
            ("$ids", JsonSerializer.Serialize(approximate.Select(r => r.RowId))));
        return [.. exact.OrderByDescending(r => r.Similarity).ThenBy(r => r.RowId).Take(candidates)];
    }

    private static async Task<IReadOnlyList<IndexCandidate>> FetchAsync(
        SqliteConnection connection,
        ReadOnlyMemory<float> queryVector,
        IReadOnlyList<(long RowId, double Score)> textHits,
        IReadOnlyList<(long RowId, double Similarity)> vectorHits,
        CancellationToken cancellationToken)
    {
        var text = textHits.Select((hit, i) => (hit, rank: i + 1)).ToDictionary(x => x.hit.RowId, x => (x.hit.Score, x.rank));
        var vector = vectorHits.Select((hit, i) => (hit, rank: i + 1)).ToDictionary(x => x.hit.RowId, x => (x.hit.Similarity, x.rank));
        var ids = text.Keys.Union(vector.Keys).ToArray();
        if (ids.Length == 0)
        {
            return [];
        }

        var rows = await connection.QueryAsync(
            $"SELECT {ChunkRows.Columns} FROM chunks c JOIN chunk_vectors v ON v.id = c.id WHERE c.id IN (SELECT value FROM json_each($ids))",
            ChunkRows.Read,
            cancellationToken,
            ("$ids", JsonSerializer.Serialize(ids)));

        return
        [
            .. rows.Select(row =>
                {
                    var (rowId, chunk) = row;
                    var inText = text.TryGetValue(rowId, out var t);
                    var inVector = vector.TryGetValue(rowId, out var v);
                    var similarity = inVector ? v.Similarity : queryVector.IsEmpty ? 0 : Cosine(queryVector.Span, chunk.Vector.Span);
                    return new IndexCandidate(chunk, inText ? t.Score : null, inText ? t.rank : null, similarity, inVector ? v.rank : null);
                })
                .OrderByDescending(c => c.VectorSimilarity)
                .ThenByDescending(c => c.TextScore ?? double.MinValue)
                .ThenBy(c => c.Chunk.ChunkId),
        ];
    }

    private static double Cosine(ReadOnlySpan<float> query, ReadOnlySpan<float> chunk)
    {
        if (query.Length != chunk.Length || query.IsEmpty)
        {
            return 0;
        }

        var cosine = TensorPrimitives.CosineSimilarity(query, chunk);
        return float.IsFinite(cosine) ? Math.Clamp(cosine, -1.0, 1.0) : 0;
    }

    /// <summary>Runs a write in one IMMEDIATE transaction that also moves the generation, then updates the vector cache.</summary>
    private async Task WriteAsync(
        Guid environmentId,
        Guid fileId,
        bool requireIndex,
        Func<IndexModel, SqliteConnection, Task<Func<VectorSegment?>>> write,
        CancellationToken cancellationToken)
    {
        var environment = Existing(environmentId);
        if (environment is null)
        {
            ThrowIfRequired(requireIndex, environmentId);
            return;
        }

        await environment.WriteLock.WaitAsync(cancellationToken);
        try
        {
            if (environment.IsClosed)
            {
                ThrowIfRequired(requireIndex, environmentId);
                return;
            }

            await using var connection = await environment.OpenAsync(cancellationToken);
            var model = environment.Model ?? (await ReadStateAsync(connection, cancellationToken))?.Model;
            if (model is null)
            {
                ThrowIfRequired(requireIndex, environmentId);
                return;
            }

            environment.Model = model;
            Func<VectorSegment?> added;
            long generation;
            await using (var transaction = connection.BeginTransaction())
            {
                added = await write(model, connection);
                await using var bump = connection.Command(BumpGeneration);
                generation = (long)(await bump.ExecuteScalarAsync(cancellationToken))!;
                await transaction.CommitAsync(cancellationToken);
            }

            environment.AfterWrite(generation, fileId, added);
        }
        catch (SqliteException exception) when (exception.IsUniqueViolation())
        {
            throw new ConflictException(ErrorCodes.Conflict, $"A chunk of file {fileId} repeats a chunk id, or one already indexed for another file of environment {environmentId}.");
        }
        finally
        {
            environment.WriteLock.Release();
        }
    }

    /// <summary>A read against an existing index; <paramref name="none"/> when it was never created or is deleted meanwhile.</summary>
    private async Task<T> ReadAsync<T>(Guid environmentId, T none, Func<EnvironmentIndex, SqliteConnection, Task<T>> read, CancellationToken cancellationToken)
    {
        var environment = Existing(environmentId);
        if (environment is null || !environment.TryBeginRead())
        {
            return none;
        }

        try
        {
            await using var connection = await environment.OpenAsync(cancellationToken);
            return await read(environment, connection);
        }
        catch (SqliteException) when (environment.IsGone)
        {
            return none;
        }
        finally
        {
            environment.EndRead();
        }
    }

    private static async Task<IndexModel> InitializeAsync(EnvironmentIndex environment, IndexModel wanted, CancellationToken cancellationToken)
    {
        await using var connection = await environment.OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction();
        var stored = (await ReadStateAsync(connection, cancellationToken))?.Model;
        if (stored is null)
        {
            await connection.ExecuteAsync(
                "INSERT INTO index_info (id, model_id, dimensions, generation, created_at) VALUES (1, $model, $dimensions, 0, $now)",
                cancellationToken,
                ("$model", wanted.ModelId), ("$dimensions", wanted.Dimensions), ("$now", DateTimeOffset.UtcNow));
            stored = wanted;
        }

        await transaction.CommitAsync(cancellationToken);
        return stored;
    }

    private static async Task<(IndexModel Model, long Generation)?> ReadStateAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        var rows = await connection.QueryAsync(
            "SELECT model_id, dimensions, generation FROM index_info WHERE id = 1",
            reader => (new IndexModel(reader.GetString(0), reader.GetInt32(1)), reader.GetInt64(2)),
            cancellationToken);
        return rows.Count == 0 ? null : rows[0];
    }

    private static Task<int> DeleteRowsAsync(SqliteConnection connection, Guid fileId, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(
            """
            DELETE FROM chunks_fts WHERE rowid IN (SELECT id FROM chunks WHERE file_id = $file);
            DELETE FROM chunks WHERE file_id = $file;
            """,
            cancellationToken,
            ("$file", fileId));

    private static async Task<long[]> InsertRowsAsync(SqliteConnection connection, IReadOnlyList<IndexedChunk> chunks, string[] metadata, CancellationToken cancellationToken)
    {
        await using var insertChunk = connection.Command(ChunkRows.Insert);
        await using var insertVector = connection.Command("INSERT INTO chunk_vectors (id, vector) VALUES ($id, $vector)");
        await using var insertText = connection.Command("INSERT INTO chunks_fts (rowid, content, heading, file_name) VALUES ($id, $content, $heading, $file_name)");

        var rowIds = new long[chunks.Count];
        for (var i = 0; i < chunks.Count; i++)
        {
            var chunk = chunks[i];
            Bind(insertChunk,
                ("$chunk_id", chunk.ChunkId.ToString("D")), ("$file_id", chunk.FileId.ToString("D")), ("$folder_id", chunk.FolderId.ToString("D")),
                ("$chunk_index", chunk.ChunkIndex), ("$content", chunk.Content ?? ""), ("$page_number", chunk.PageNumber),
                ("$start_page", chunk.StartPage), ("$end_page", chunk.EndPage), ("$token_count", chunk.TokenCount),
                ("$heading_path", ChunkRows.HeadingJson(chunk.HeadingPath)), ("$file_name", chunk.FileName ?? ""), ("$mime_type", chunk.MimeType ?? ""),
                ("$reference_id", chunk.ReferenceId), ("$category", chunk.Category), ("$document_type", chunk.DocumentType), ("$metadata", metadata[i]));
            var rowId = (long)(await insertChunk.ExecuteScalarAsync(cancellationToken))!;
            rowIds[i] = rowId;

            Bind(insertVector, ("$id", rowId), ("$vector", ChunkRows.VectorBlob(chunk.Vector.Span)));
            await insertVector.ExecuteNonQueryAsync(cancellationToken);

            Bind(insertText, ("$id", rowId), ("$content", chunk.Content ?? ""), ("$heading", ChunkRows.HeadingText(chunk.HeadingPath)), ("$file_name", chunk.FileName ?? ""));
            await insertText.ExecuteNonQueryAsync(cancellationToken);
        }

        return rowIds;
    }

    /// <summary>Sets parameters by name on a command reused for every row, so SQLite prepares each statement once.</summary>
    private static void Bind(SqliteCommand command, params (string Name, object? Value)[] values)
    {
        foreach (var (name, value) in values)
        {
            var index = command.Parameters.IndexOf(name);
            var parameter = index >= 0 ? command.Parameters[index] : command.Parameters.Add(new SqliteParameter { ParameterName = name });
            parameter.Value = value ?? DBNull.Value;
        }
    }

    private static VectorSegment Segment(IndexModel model, IReadOnlyList<IndexedChunk> chunks, long[] rowIds, string[] metadata)
    {
        var builder = new SegmentBuilder(chunks.Count, model.Dimensions);
        for (var i = 0; i < chunks.Count; i++)
        {
            builder.Add(rowIds[i], chunks[i].Vector.Span, ChunkRows.AttributesOf(chunks[i], metadata[i]));
        }

        return builder.Build();
    }

    /// <summary>The cached index of an environment whose file exists, or null when it has none.</summary>
    private EnvironmentIndex? Existing(Guid environmentId)
    {
        lock (_registry)
        {
            if (_deleting.Contains(environmentId))
            {
                return null;
            }

            if (_environments.TryGetValue(environmentId, out var cached))
            {
                if (!cached.IsGone)
                {
                    return cached;
                }

                Forget(environmentId, cached);
            }

            return File.Exists(Path.Combine(DirectoryOf(environmentId), EnvironmentIndex.FileName))
                ? _environments.GetOrAdd(environmentId, Open)
                : null;
        }
    }

    /// <summary>The handle to create an index through (creating one that races a deletion of the same environment may be undone by it).</summary>
    private EnvironmentIndex Registered(Guid environmentId)
    {
        lock (_registry)
        {
            return _environments.GetOrAdd(environmentId, Open);
        }
    }

    private void Forget(Guid environmentId, EnvironmentIndex environment)
    {
        if (_environments.TryRemove(new KeyValuePair<Guid, EnvironmentIndex>(environmentId, environment)))
        {
            environment.Close();
        }
    }

    private EnvironmentIndex Open(Guid environmentId) => new(DirectoryOf(environmentId));

    private string DirectoryOf(Guid environmentId) => Path.Combine(_environmentsRoot, environmentId.ToString("D"));

    /// <summary>Removes the index files, then the folder if nothing else lives there.</summary>
    private static void DeleteFiles(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return;
        }

        foreach (var suffix in (string[])["", "-wal", "-shm", "-journal"])
        {
            File.Delete(Path.Combine(directory, EnvironmentIndex.FileName + suffix));
        }

        if (!Directory.EnumerateFileSystemEntries(directory).Any())
        {
            Directory.Delete(directory);
        }
    }

    private static void EnsureSameModel(Guid environmentId, IndexModel stored, IndexModel wanted)
    {
        if (!string.Equals(stored.ModelId, wanted.ModelId, StringComparison.Ordinal) || stored.Dimensions != wanted.Dimensions)
        {
            throw new ConflictException(
                ErrorCodes.Conflict,
                $"The search index of environment {environmentId} was built with {stored.ModelId} ({stored.Dimensions} dimensions), " +
                $"not {wanted.ModelId} ({wanted.Dimensions} dimensions). Re-index the environment to change models.");
        }
    }

    private static ConflictException DimensionConflict(Guid environmentId, IndexModel model, int dimensions) =>
        new(ErrorCodes.Conflict, $"A vector of {dimensions} dimensions does not fit the search index of environment {environmentId}, built with {model.ModelId} ({model.Dimensions} dimensions).");

    private static void ThrowIfRequired(bool requireIndex, Guid environmentId)
    {
        if (requireIndex)
        {
            throw new InvalidOperationException($"The search index of environment {environmentId} does not exist; create it (CreateAsync) before writing to it.");
        }
    }
}
