using System.Text.Json.Serialization;
using Memic.Core.Search;

namespace Memic.Azure.Search.Internals;

/// <summary>The field names of a chunk document, shared by the index definition, the DTO and the filter builder.</summary>
internal static class ChunkFields
{
    public const string Id = "id";
    public const string FileId = "file_id";
    public const string FolderId = "folder_id";
    public const string ChunkIndex = "chunk_index";
    public const string Content = "content";
    public const string PageNumber = "page_number";
    public const string StartPage = "start_page";
    public const string EndPage = "end_page";
    public const string TokenCount = "token_count";
    public const string HeadingPath = "heading_path";
    public const string FileName = "file_name";
    public const string MimeType = "mime_type";
    public const string ReferenceId = "reference_id";
    public const string Category = "category";
    public const string DocumentType = "document_type";
    public const string Metadata = "metadata";
    public const string Vector = "content_vector";

    /// <summary>Every stored field, for <c>select</c>.</summary>
    public static readonly string[] All =
    [
        Id, FileId, FolderId, ChunkIndex, Content, PageNumber, StartPage, EndPage, TokenCount, HeadingPath, FileName, MimeType,
        ReferenceId, Category, DocumentType, Metadata, Vector,
    ];
}

/// <summary>One chunk as an Azure AI Search document (the wire shape; <see cref="IndexedChunk"/> is the domain one).</summary>
internal sealed class ChunkDocument
{
    [JsonPropertyName(ChunkFields.Id)]
    public string Id { get; set; } = "";

    [JsonPropertyName(ChunkFields.FileId)]
    public string FileId { get; set; } = "";

    [JsonPropertyName(ChunkFields.FolderId)]
    public string FolderId { get; set; } = "";

    [JsonPropertyName(ChunkFields.ChunkIndex)]
    public int ChunkIndex { get; set; }

    [JsonPropertyName(ChunkFields.Content)]
    public string Content { get; set; } = "";

    [JsonPropertyName(ChunkFields.PageNumber)]
    public int PageNumber { get; set; }

    [JsonPropertyName(ChunkFields.StartPage)]
    public int StartPage { get; set; }

    [JsonPropertyName(ChunkFields.EndPage)]
    public int EndPage { get; set; }

    [JsonPropertyName(ChunkFields.TokenCount)]
    public int TokenCount { get; set; }

    [JsonPropertyName(ChunkFields.HeadingPath)]
    public IList<string> HeadingPath { get; set; } = [];

    [JsonPropertyName(ChunkFields.FileName)]
    public string FileName { get; set; } = "";

    [JsonPropertyName(ChunkFields.MimeType)]
    public string MimeType { get; set; } = "";

    [JsonPropertyName(ChunkFields.ReferenceId)]
    public string? ReferenceId { get; set; }

    [JsonPropertyName(ChunkFields.Category)]
    public string? Category { get; set; }

    [JsonPropertyName(ChunkFields.DocumentType)]
    public string? DocumentType { get; set; }

    [JsonPropertyName(ChunkFields.Metadata)]
    public IList<string> Metadata { get; set; } = [];

    [JsonPropertyName(ChunkFields.Vector)]
    public IList<float> Vector { get; set; } = [];

    public static ChunkDocument From(IndexedChunk chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        return new ChunkDocument
        {
            Id = chunk.ChunkId.ToString("D"),
            FileId = chunk.FileId.ToString("D"),
            FolderId = chunk.FolderId.ToString("D"),
            ChunkIndex = chunk.ChunkIndex,
            Content = chunk.Content ?? "",
            PageNumber = chunk.PageNumber,
            StartPage = chunk.StartPage,
            EndPage = chunk.EndPage,
            TokenCount = chunk.TokenCount,
            HeadingPath = [.. chunk.HeadingPath ?? []],
            FileName = chunk.FileName ?? "",
            MimeType = chunk.MimeType ?? "",
            ReferenceId = chunk.ReferenceId,
            Category = chunk.Category,
            DocumentType = chunk.DocumentType,
            Metadata = [.. (chunk.Metadata ?? new Dictionary<string, string>()).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => MetadataTerms.Encode(p.Key, p.Value))],
            Vector = chunk.Vector.ToArray(),
        };
    }

    public IndexedChunk ToChunk() => new(
        Guid.Parse(Id),
        Guid.Parse(FileId),
        Guid.Parse(FolderId),
        ChunkIndex,
        Content ?? "",
        PageNumber,
        StartPage,
        EndPage,
        TokenCount,
        [.. HeadingPath ?? []],
        FileName ?? "",
        MimeType ?? "",
        ReferenceId,
        Category,
        DocumentType,
        (Metadata ?? []).Select(MetadataTerms.Decode).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal),
        (Vector ?? []).ToArray());
}
