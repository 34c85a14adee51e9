using Memic.Core.Documents;
using Memic.Ingestion.Chunking;
using Memic.Ingestion.Extraction.Ocr;
using Memic.Ingestion.Extraction;

namespace Memic.Ingestion.Tests;

/// <summary>Runs the real extract-then-chunk path the ingestion pipeline will run.</summary>
internal static class IngestionHarness
{
    public static DocumentExtractorRegistry Registry(IOcrEngine? ocrEngine = null, ExtractionOptions? options = null) =>
        DocumentExtractorRegistry.CreateDefault(options, ocrEngine ?? NoOcrEngine.Instance);

    public static async Task<ExtractedDocument> ExtractAsync(
        byte[] bytes, string fileName, string? mimeType = null, IOcrEngine? ocrEngine = null, ExtractionOptions? options = null)
    {
        using var stream = new MemoryStream(bytes);
        return await Registry(ocrEngine, options).ExtractAsync(stream, mimeType, fileName, TestContext.Current.CancellationToken);
    }

    public static async Task<(ExtractedDocument Document, IReadOnlyList<DocumentChunk> Chunks)> ExtractAndChunkAsync(
        byte[] bytes, string fileName, string? mimeType = null, IOcrEngine? ocrEngine = null, ChunkingOptions? chunking = null)
    {
        var document = await ExtractAsync(bytes, fileName, mimeType, ocrEngine);
        var chunks = new TextChunker(ApproximateWordPieceTokenCounter.Instance, chunking).Chunk(document, TestContext.Current.CancellationToken);
        return (document, chunks);
    }

    /// <summary>The first chunk that holds <paramref name="sentence"/> (later ones may repeat it as overlap).</summary>
    public static DocumentChunk ChunkContaining(IReadOnlyList<DocumentChunk> chunks, string sentence)
    {
        var chunk = chunks.FirstOrDefault(candidate => candidate.Text.Contains(sentence, StringComparison.Ordinal));
        Assert.True(chunk is not null, $"No chunk contains \"{sentence}\". Chunks:\n{string.Join("\n---\n", chunks.Select(c => c.Text))}");
        return chunk;
    }

    public static async Task<DocumentExtractionException> ExtractionFailureAsync(
        byte[] bytes, string fileName, string? mimeType = null, IOcrEngine? ocrEngine = null, ExtractionOptions? options = null) =>
        await Assert.ThrowsAsync<DocumentExtractionException>(() => ExtractAsync(bytes, fileName, mimeType, ocrEngine, options));

    /// <summary>Deterministic filler prose: distinct sentences so a misplaced one is noticed.</summary>
    public static IReadOnlyList<string> Filler(string topic, int sentences) =>
        Enumerable.Range(1, sentences)
            .Select(index => $"Filler sentence {index} about {topic} describes routine warehouse logistics.")
            .ToArray();
}

/// <summary>An OCR engine that returns fixed text and records what it was asked to read.</summary>
internal sealed class FakeOcrEngine(string text) : IOcrEngine
{
    public List<(byte[] Image, string Extension)> Calls { get; } = [];

    public bool IsAvailable => true;

    public Task<string> RecognizeAsync(ReadOnlyMemory<byte> image, string fileExtension, CancellationToken cancellationToken)
    {
        Calls.Add((image.ToArray(), fileExtension));
        return Task.FromResult(text);
    }
}
