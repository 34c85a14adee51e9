using System.Globalization;
using System.Text.Json;
using Memic.Core.Files;
using Memic.Core.Ports;
using Memic.Core.Tenancy;
using Memic.Core.Usage;
using Memic.Embedded.Internals;
using Microsoft.Data.Sqlite;

namespace Memic.Embedded.Catalog;

/// <summary>Files, folders and usage: every query is scoped by environment id.</summary>
public sealed partial class SqliteCatalog : IFileCatalog, IFolderCatalog, IUsageCatalog
{
    public Task AddFileAsync(StoredFile file, CancellationToken cancellationToken) =>
        InsertAsync(
            """
            INSERT INTO files (id, environment_id, folder_id, name, original_filename, size, mime_type, status, error_message, reference_id,
                               metadata, total_chunks, total_embeddings, embedding_dimension, page_count, content_hash, created_at, updated_at)
            VALUES ($id, $env, $folder, $name, $original, $size, $mime, $status, $error, $ref, $metadata, $chunks, $embeddings, $dimension, $pages, $hash, $created, $updated)
            """,
            "That file already exists.",
            cancellationToken,
            FileParameters(file));

    public Task<StoredFile?> GetFileAsync(Guid environmentId, Guid fileId, CancellationToken cancellationToken) =>
        SingleAsync("SELECT * FROM files WHERE environment_id = $env AND id = $id", MapFile, cancellationToken, ("$env", environmentId), ("$id", fileId));

    public async Task<FilePage> ListFilesAsync(Guid environmentId, FileQuery query, CancellationToken cancellationToken)
    {
        const string where = """
            WHERE environment_id = $env
              AND ($status IS NULL OR status = $status)
              AND ($folder IS NULL OR folder_id = $folder)
              AND ($ref IS NULL OR reference_id = $ref)
            """;
        (string, object?)[] filters = [("$env", environmentId), ("$status", query.Status), ("$folder", query.FolderId), ("$ref", query.ReferenceId)];

        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var count = connection.Command("SELECT COUNT(*) FROM files " + where, filters);
        var total = Convert.ToInt32(await count.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        var items = await connection.QueryAsync(
            "SELECT * FROM files " + where + " ORDER BY created_at DESC, id LIMIT $limit OFFSET $offset",
            MapFile, cancellationToken,
            [.. filters, ("$limit", query.PageSize), ("$offset", (long)(query.Page - 1) * query.PageSize)]);
        return new FilePage(items, total);
    }

    public async Task<bool> UpdateFileAsync(StoredFile file, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        var changed = await connection.ExecuteAsync(
            """
            UPDATE files SET status = $status, error_message = $error, total_chunks = $chunks, total_embeddings = $embeddings,
                             embedding_dimension = $dimension, page_count = $pages, content_hash = $hash, updated_at = $updated
            WHERE environment_id = $env AND id = $id
            """,
            cancellationToken, FileParameters(file));
        return changed > 0;
    }

    public async Task<bool> TransitionAsync(Guid environmentId, Guid fileId, IReadOnlyCollection<FileStatus> from, FileStatus to, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        var allowed = string.Join(",", from.Select(s => $"'{s}'"));
        var changed = await connection.ExecuteAsync(
            $"UPDATE files SET status = $to, updated_at = $at WHERE environment_id = $env AND id = $id AND status IN ({allowed})",
            cancellationToken, ("$to", to), ("$at", at), ("$env", environmentId), ("$id", fileId));
        return changed > 0;
    }

    public async Task<bool> TransitionIfUnchangedAsync(
        Guid environmentId, Guid fileId, FileStatus from, DateTimeOffset lastUpdatedAt, FileStatus to, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        var changed = await connection.ExecuteAsync(
            "UPDATE files SET status = $to, updated_at = $at WHERE environment_id = $env AND id = $id AND status = $from AND updated_at = $last",
            cancellationToken, ("$to", to), ("$at", at), ("$env", environmentId), ("$id", fileId), ("$from", from), ("$last", lastUpdatedAt));
        return changed > 0;
    }

    public async Task<int?> RecordAttemptAsync(Guid environmentId, Guid fileId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.Command(
            "UPDATE files SET attempts = attempts + 1 WHERE environment_id = $env AND id = $id RETURNING attempts", ("$env", environmentId), ("$id", fileId));
        return await command.ExecuteScalarAsync(cancellationToken) is { } attempts ? Convert.ToInt32(attempts, CultureInfo.InvariantCulture) : null;
    }

    public async Task RemoveFileAsync(Guid environmentId, Guid fileId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync("DELETE FROM files WHERE environment_id = $env AND id = $id", cancellationToken, ("$env", environmentId), ("$id", fileId));
    }

    public async Task<IReadOnlyList<(Guid EnvironmentId, Guid FileId)>> ListUnfinishedFilesAsync(CancellationToken cancellationToken)
    {
        var unfinished = Enum.GetValues<FileStatus>().Where(s => s.IsInPipeline()).Select(s => $"'{s}'");
        await using var connection = await _database.OpenAsync(cancellationToken);
        return await connection.QueryAsync(
            $"SELECT environment_id, id FROM files WHERE status IN ({string.Join(",", unfinished)}) ORDER BY updated_at",
            r => (r.GetGuid("environment_id"), r.GetGuid("id")), cancellationToken);
    }

    public async Task<int> CountFilesInFolderAsync(Guid environmentId, Guid folderId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT COUNT(*) FROM files WHERE environment_id = $env AND folder_id = $folder", ("$env", environmentId), ("$folder", folderId));
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    public Task<IReadOnlyList<Guid>> ListFileIdsInFolderAsync(Guid environmentId, Guid folderId, CancellationToken cancellationToken) =>
        ListAsync("SELECT id FROM files WHERE environment_id = $env AND folder_id = $folder", r => r.GetGuid("id"), cancellationToken, ("$env", environmentId), ("$folder", folderId));

    public Task<Folder?> GetFolderAsync(Guid environmentId, Guid folderId, CancellationToken cancellationToken) =>
        SingleAsync("SELECT * FROM folders WHERE environment_id = $env AND id = $id", MapFolder, cancellationToken, ("$env", environmentId), ("$id", folderId));

    public async Task RemoveFolderAsync(Guid environmentId, Guid folderId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync("DELETE FROM folders WHERE environment_id = $env AND id = $id", cancellationToken, ("$env", environmentId), ("$id", folderId));
    }

    public async Task WriteUsageAsync(Guid instanceId, IReadOnlyList<UsageSlice> slices, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        foreach (var slice in slices)
        {
            var totals = slice.Totals;
            try
            {
                await connection.ExecuteAsync(
                    """
                    INSERT INTO usage_hourly (environment_id, hour, instance_id, requests, searches, chats, files, bytes, pages, chunks, embedding_tokens)
                    VALUES ($env, $hour, $instance, $requests, $searches, $chats, $files, $bytes, $pages, $chunks, $tokens)
                    ON CONFLICT (environment_id, hour, instance_id) DO UPDATE SET
                        requests = excluded.requests, searches = excluded.searches, chats = excluded.chats, files = excluded.files,
                        bytes = excluded.bytes, pages = excluded.pages, chunks = excluded.chunks, embedding_tokens = excluded.embedding_tokens
                    """,
                    cancellationToken,
                    ("$env", slice.EnvironmentId), ("$hour", HourKey(slice.Hour)), ("$instance", instanceId),
                    ("$requests", totals.Requests), ("$searches", totals.Searches), ("$chats", totals.Chats), ("$files", totals.Files),
                    ("$bytes", totals.Bytes), ("$pages", totals.Pages), ("$chunks", totals.Chunks), ("$tokens", totals.EmbeddingTokens));
            }
            catch (SqliteException ex) when (ex.SqliteErrorCode == SqliteExtensions.ConstraintViolation)
            {
                // The environment was deleted meanwhile; its usage goes with it.
            }
        }
    }

    public Task<IReadOnlyList<HourlyUsage>> GetUsageAsync(Guid environmentId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        ListAsync(
            """
            SELECT hour, SUM(requests) AS requests, SUM(searches) AS searches, SUM(chats) AS chats, SUM(files) AS files, SUM(bytes) AS bytes,
                   SUM(pages) AS pages, SUM(chunks) AS chunks, SUM(embedding_tokens) AS embedding_tokens
            FROM usage_hourly WHERE environment_id = $env AND hour >= $from AND hour < $to GROUP BY hour ORDER BY hour
            """,
            r => new HourlyUsage(
                DateTimeOffset.ParseExact(r.GetString("hour"), HourFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
                new UsageCounters(r.GetInt64(r.GetOrdinal("requests")), r.GetInt64(r.GetOrdinal("searches")), r.GetInt64(r.GetOrdinal("chats")),
                    r.GetInt64(r.GetOrdinal("files")), r.GetInt64(r.GetOrdinal("bytes")), r.GetInt64(r.GetOrdinal("pages")),
                    r.GetInt64(r.GetOrdinal("chunks")), r.GetInt64(r.GetOrdinal("embedding_tokens")))),
            cancellationToken,
            ("$env", environmentId), ("$from", HourKey(from)), ("$to", HourKey(to)));

    /// <summary>Hours as sortable text, the format the migration from daily rows also writes.</summary>
    private const string HourFormat = "yyyy-MM-dd'T'HH";

    private static string HourKey(DateTimeOffset hour) => hour.ToUniversalTime().ToString(HourFormat, CultureInfo.InvariantCulture);

    private static (string, object?)[] FileParameters(StoredFile file) =>
    [
        ("$id", file.Id), ("$env", file.EnvironmentId), ("$folder", file.FolderId), ("$name", file.Name), ("$original", file.OriginalFilename),
        ("$size", file.Size), ("$mime", file.MimeType), ("$status", file.Status), ("$error", file.ErrorMessage), ("$ref", file.ReferenceId),
        ("$metadata", file.Metadata is { } metadata ? metadata.GetRawText() : null), ("$chunks", file.TotalChunks), ("$embeddings", file.TotalEmbeddings),
        ("$dimension", file.EmbeddingDimension), ("$pages", file.PageCount), ("$hash", file.ContentHash), ("$created", file.CreatedAt), ("$updated", file.UpdatedAt),
    ];

    private static StoredFile MapFile(SqliteDataReader r)
    {
        var metadataOrdinal = r.GetOrdinal("metadata");
        return new StoredFile
        {
            Id = r.GetGuid("id"),
            EnvironmentId = r.GetGuid("environment_id"),
            FolderId = r.GetGuid("folder_id"),
            Name = r.GetString("name"),
            OriginalFilename = r.GetString("original_filename"),
            Size = r.GetInt64(r.GetOrdinal("size")),
            MimeType = r.GetString("mime_type"),
            Status = Enum.Parse<FileStatus>(r.GetString("status")),
            ErrorMessage = r.GetNullableString("error_message"),
            ReferenceId = r.GetNullableString("reference_id"),
            Metadata = r.IsDBNull(metadataOrdinal) ? null : JsonDocument.Parse(r.GetString(metadataOrdinal)).RootElement.Clone(),
            TotalChunks = r.GetInt32(r.GetOrdinal("total_chunks")),
            TotalEmbeddings = r.GetInt32(r.GetOrdinal("total_embeddings")),
            EmbeddingDimension = r.GetNullableInt("embedding_dimension"),
            PageCount = r.GetNullableInt("page_count"),
            ContentHash = r.GetNullableString("content_hash"),
            Attempts = r.GetInt32(r.GetOrdinal("attempts")),
            CreatedAt = r.GetTimestamp("created_at"),
            UpdatedAt = r.GetTimestamp("updated_at"),
        };
    }
}
