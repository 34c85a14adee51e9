using Memic.Core.Documents;

namespace Memic.Core.Ports;

/// <summary>Reads documents of every supported format and cuts them into chunks (implemented by Memic.Ingestion).</summary>
public interface IDocumentReader
{
    /// <summary>Whether a file of this type can be ingested here; checked at upload, before any bytes move.</summary>
    FileTypeCheck CheckType(string? mimeType, string fileName);

    /// <summary>Extracts the text; an unreadable file is a <see cref="DocumentRejectedException"/>.</summary>
    Task<ParsedDocument> ParseAsync(Stream content, string mimeType, string fileName, CancellationToken cancellationToken);

    /// <summary>Page-aware chunks of at most <paramref name="maxTokens"/> tokens by <paramref name="tokens"/>. Deterministic.</summary>
    IReadOnlyList<DocumentChunk> Chunk(ParsedDocument document, ITokenCounter tokens, int maxTokens, CancellationToken cancellationToken);
}
