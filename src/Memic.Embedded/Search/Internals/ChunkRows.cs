using System.Runtime.InteropServices;
using System.Text.Json;
using Memic.Core.Search;
using Microsoft.Data.Sqlite;

namespace Memic.Embedded.Search.Internals;

/// <summary>How a chunk is written to and read from <c>chunks</c> + <c>chunk_vectors</c>.</summary>
internal static class ChunkRows
{
    /// <summary>Every column <see cref="Read"/> maps, in its ordinal order; the query aliases chunks as c and vectors as v.</summary>
    public const string Columns =
        "c.id, c.chunk_id, c.file_id, c.folder_id, c.chunk_index, c.content, c.page_number, c.start_page, c.end_page, c.token_count, " +
        "c.heading_path, c.file_name, c.mime_type, c.reference_id, c.category, c.document_type, c.metadata, v.vector";

    public const string Insert =
        """
        INSERT INTO chunks (chunk_id, file_id, folder_id, chunk_index, content, page_number, start_page, end_page, token_count,
                            heading_path, file_name, mime_type, reference_id, category, document_type, metadata)
        VALUES ($chunk_id, $file_id, $folder_id, $chunk_index, $content, $page_number, $start_page, $end_page, $token_count,
                $heading_path, $file_name, $mime_type, $reference_id, $category, $document_type, $metadata)
        RETURNING id
        """;

    public static string HeadingJson(IReadOnlyList<string>? headingPath) => JsonSerializer.Serialize(headingPath ?? []);

    public static string MetadataJson(IReadOnlyDictionary<string, string>? metadata) =>
        JsonSerializer.Serialize(metadata ?? new Dictionary<string, string>());

    /// <summary>The text the <c>heading</c> FTS column indexes.</summary>
    public static string HeadingText(IReadOnlyList<string>? headingPath) => string.Join(" / ", headingPath ?? []);

    /// <summary>Float32 in machine order; every platform .NET ships on for this app is little-endian.</summary>
    public static byte[] VectorBlob(ReadOnlySpan<float> vector) => MemoryMarshal.AsBytes(vector).ToArray();

    public static float[] VectorOf(SqliteDataReader reader, int ordinal) =>
        MemoryMarshal.Cast<byte, float>(reader.GetFieldValue<byte[]>(ordinal)).ToArray();

    /// <summary>Reads a row selected with <see cref="Columns"/>.</summary>
    public static (long RowId, IndexedChunk Chunk) Read(SqliteDataReader reader) => (
        reader.GetInt64(0),
        new IndexedChunk(
            Guid.Parse(reader.GetString(1)),
            Guid.Parse(reader.GetString(2)),
            Guid.Parse(reader.GetString(3)),
            reader.GetInt32(4),
            reader.GetString(5),
            reader.GetInt32(6),
            reader.GetInt32(7),
            reader.GetInt32(8),
            reader.GetInt32(9),
            JsonSerializer.Deserialize<string[]>(reader.GetString(10)) ?? [],
            reader.GetString(11),
            reader.GetString(12),
            NullableString(reader, 13),
            NullableString(reader, 14),
            NullableString(reader, 15),
            JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(16)) ?? [],
            VectorOf(reader, 17)));

    public static ChunkAttributes AttributesOf(IndexedChunk chunk, string metadataJson) => new(
        chunk.FileId, chunk.FolderId, chunk.MimeType, chunk.ReferenceId, chunk.Category, chunk.DocumentType, chunk.PageNumber, metadataJson);

    private static string? NullableString(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
