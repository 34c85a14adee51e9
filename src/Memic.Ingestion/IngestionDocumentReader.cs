using Memic.Core.Documents;
using Memic.Core.Ports;
using Memic.Ingestion.Chunking;
using Memic.Ingestion.Extraction;

namespace Memic.Ingestion;

/// <summary>
/// Core's <see cref="IDocumentReader"/> over this project's extractors, run in this process: for tests of the extractors
/// and benchmarks only. Hosts read through <see cref="Isolation.IsolatedDocumentReader"/>, which parses in a worker process.
/// </summary>
public sealed class IngestionDocumentReader(DocumentExtractorRegistry registry) : IDocumentReader
{
    /// <summary>Overlap between consecutive chunks of one section, as a share of the chunk size.</summary>
    private const int OverlapPercent = 15;

    public FileTypeCheck CheckType(string? mimeType, string fileName) => CheckType(registry, mimeType, fileName);

    public async Task<ParsedDocument> ParseAsync(Stream content, string mimeType, string fileName, CancellationToken cancellationToken)
    {
        try
        {
            var document = await registry.ExtractAsync(content, mimeType, fileName, cancellationToken);
            return new Extracted(document);
        }
        catch (DocumentExtractionException ex)
        {
            throw new DocumentRejectedException(ex.Message, ex);
        }
    }

    public IReadOnlyList<DocumentChunk> Chunk(ParsedDocument document, ITokenCounter tokens, int maxTokens, CancellationToken cancellationToken) =>
        ChunkExtracted(document, tokens, maxTokens, cancellationToken);

    internal static FileTypeCheck CheckType(DocumentExtractorRegistry registry, string? mimeType, string fileName)
    {
        var support = registry.CheckSupport(mimeType, fileName);
        return new FileTypeCheck(support.IsSupported, support.FormatName, support.Reason, support.MimeType);
    }

    internal static IReadOnlyList<DocumentChunk> ChunkExtracted(ParsedDocument document, ITokenCounter tokens, int maxTokens, CancellationToken cancellationToken)
    {
        var extracted = document as Extracted ?? throw new ArgumentException("The document was not parsed by this reader.", nameof(document));
        var options = new ChunkingOptions { MaxTokensPerChunk = maxTokens, OverlapTokens = maxTokens * OverlapPercent / 100 };
        return new TextChunker(tokens, options).Chunk(extracted.Document, cancellationToken);
    }

    internal sealed record Extracted(ExtractedDocument Document)
        : ParsedDocument(Document.Format, Document.PageCount, Document.CharacterCount);
}
