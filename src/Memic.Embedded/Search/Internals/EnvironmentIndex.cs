using System.Runtime.InteropServices;
using Memic.Embedded.Internals;
using Microsoft.Data.Sqlite;

namespace Memic.Embedded.Search.Internals;

/// <summary>The embedding model an index was built with (<c>index_info</c>).</summary>
internal sealed record IndexModel(string ModelId, int Dimensions);

/// <summary>
/// One environment's <c>index.db</c> and what the process keeps for it: the model once read, the vector cache
/// snapshot, and the lock that orders writes, cache loads and deletion. Queries take no lock: they read the
/// current snapshot reference and SQLite (WAL lets them run beside a writer), and only register themselves so
/// that deletion can wait for them to finish.
/// </summary>
internal sealed class EnvironmentIndex : IDisposable
{
    public const string FileName = "index.db";

    private volatile IndexModel? _model;
    private volatile VectorSnapshot? _snapshot;
    private volatile TermChunkCounts? _termCounts;
    private volatile bool _closed;
    private volatile string? _connectionString;
    private volatile TaskCompletionSource? _drained;
    private int _activeReads;

    public EnvironmentIndex(string directory)
    {
        DatabasePath = Path.Combine(directory, FileName);
        Database = new SqliteDatabase(DatabasePath, IndexSchema.Migrations);
    }

    public string DatabasePath { get; }

    public SqliteDatabase Database { get; }

    /// <summary>Held by every write, by a cache load (so no write lands between reading SQLite and publishing) and by deletion.</summary>
    public SemaphoreSlim WriteLock { get; } = new(1, 1);

    public IndexModel? Model
    {
        get => _model;
        set => _model = value;
    }

    public bool IsClosed => _closed;

    /// <summary>Closed, or its file removed behind our back (another process deleted the environment).</summary>
    public bool IsGone => _closed || !File.Exists(DatabasePath);

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = await Database.OpenAsync(cancellationToken);
        _connectionString ??= connection.ConnectionString;
        return connection;
    }

    /// <summary>
    /// A snapshot at least as new as <paramref name="generation"/> (newer is fine: rows the caller's read cannot
    /// see yet are simply not found when re-scored). Loads from SQLite when the cache is empty or another
    /// writer (process or instance) moved the index on.
    /// </summary>
    public async Task<VectorSnapshot> SnapshotAsync(long generation, int dimensions, CancellationToken cancellationToken)
    {
        var current = _snapshot;
        if (current is not null && current.Generation >= generation)
        {
            return current;
        }

        await WriteLock.WaitAsync(cancellationToken);
        try
        {
            current = _snapshot;
            if (current is null || current.Generation < generation)
            {
                current = await LoadAsync(dimensions, cancellationToken);
                _snapshot = current;
            }

            return current;
        }
        finally
        {
            WriteLock.Release();
        }
    }

    /// <summary>
    /// The query words' chunk counts at <paramref name="generation"/>: the shared ones while no write moved the index
    /// on; otherwise new ones, kept for the queries after this one when they are the newest.
    /// </summary>
    public TermChunkCounts TermCountsAt(long generation)
    {
        var current = _termCounts;
        if (current is not null && current.Generation == generation)
        {
            return current;
        }

        var fresh = new TermChunkCounts(generation);
        if (current is null || current.Generation < generation)
        {
            _termCounts = fresh;
        }

        return fresh;
    }

    /// <summary>
    /// Moves the cache to <paramref name="generation"/> after a committed write; the caller holds <see cref="WriteLock"/>.
    /// A cache that was not exactly one generation behind missed someone else's write and is dropped instead.
    /// </summary>
    public void AfterWrite(long generation, Guid fileId, Func<VectorSegment?> added)
    {
        var current = _snapshot;
        if (current is null)
        {
            return;
        }

        if (current.Generation != generation - 1)
        {
            _snapshot = null;
            return;
        }

        try
        {
            _snapshot = current.WithFileReplaced(generation, fileId, added());
        }
        catch
        {
            _snapshot = null;
            throw;
        }
    }

    /// <summary>Registers a read, or says the index is closed; a successful call must be paired with <see cref="EndRead"/>.</summary>
    public bool TryBeginRead()
    {
        Interlocked.Increment(ref _activeReads);
        if (_closed)
        {
            EndRead();
            return false;
        }

        return true;
    }

    public void EndRead()
    {
        if (Interlocked.Decrement(ref _activeReads) == 0 && _closed)
        {
            _drained?.TrySetResult();
        }
    }

    /// <summary>
    /// Closes the index for deletion: refuses new reads, waits for running reads (so none opens the file again
    /// once it is gone) and the running write, then drops the cache and the pooled connections.
    /// </summary>
    public async Task CloseAsync(CancellationToken cancellationToken)
    {
        // The completion source is published before the flag, so a read ending after the flag always finds it.
        var drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _drained = drained;
        _closed = true;
        if (Volatile.Read(ref _activeReads) == 0)
        {
            drained.TrySetResult();
        }

        await drained.Task.WaitAsync(cancellationToken);
        await WriteLock.WaitAsync(cancellationToken);
        try
        {
            Close();
        }
        finally
        {
            WriteLock.Release();
        }
    }

    /// <summary>Forgets the cache and closes pooled connections without waiting for anyone; idempotent.</summary>
    public void Close()
    {
        _closed = true;
        _snapshot = null;
        _termCounts = null;
        if (_connectionString is { } connectionString)
        {
            using var probe = new SqliteConnection(connectionString);
            SqliteConnection.ClearPool(probe);
        }
    }

    public void Dispose()
    {
        Close();
        WriteLock.Dispose();
    }

    private async Task<VectorSnapshot> LoadAsync(int dimensions, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction(deferred: true);
        var generation = await ScalarAsync(connection, "SELECT generation FROM index_info WHERE id = 1", cancellationToken);
        var count = await ScalarAsync(connection, "SELECT count(*) FROM chunk_vectors", cancellationToken);

        var builder = new SegmentBuilder((int)count, dimensions);
        var blob = new byte[dimensions * sizeof(float)];
        await using var command = connection.Command(
            """
            SELECT c.id, c.file_id, c.folder_id, c.mime_type, c.reference_id, c.category, c.document_type, c.page_number, c.metadata, v.vector
            FROM chunks c JOIN chunk_vectors v ON v.id = c.id
            ORDER BY c.id
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken) && builder.Count < count)
        {
            if (reader.GetBytes(9, 0, null, 0, 0) != blob.Length || reader.GetBytes(9, 0, blob, 0, blob.Length) != blob.Length)
            {
                throw new InvalidDataException($"Chunk row {reader.GetInt64(0)} of {DatabasePath} holds a vector of another dimension than the index's {dimensions}.");
            }

            builder.Add(reader.GetInt64(0), MemoryMarshal.Cast<byte, float>(blob), new ChunkAttributes(
                Guid.Parse(reader.GetString(1)),
                Guid.Parse(reader.GetString(2)),
                reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.GetInt32(7),
                reader.GetString(8)));
        }

        return VectorSnapshot.Of(generation, dimensions, builder.Build());
    }

    private static async Task<long> ScalarAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.Command(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken) ?? 0L, System.Globalization.CultureInfo.InvariantCulture);
    }
}
