namespace Memic.Ingestion.Extraction.Ocr;

/// <summary>Reads text from an image. Optional: without one, images and scanned PDFs are refused with a clear reason.</summary>
public interface IOcrEngine
{
    /// <summary>Whether the engine can run here.</summary>
    bool IsAvailable { get; }

    /// <summary>
    /// Returns the recognized text, paragraphs separated by blank lines. Fails with
    /// <see cref="DocumentExtractionException"/> (<see cref="ExtractionFailureKind.OcrNotConfigured"/> or
    /// <see cref="ExtractionFailureKind.OcrFailed"/>).
    /// </summary>
    /// <param name="image">The encoded image (PNG or JPEG).</param>
    /// <param name="fileExtension">The image's extension with its dot (".png", ".jpg"), which tells the engine its format.</param>
    /// <param name="cancellationToken">Stops the recognition.</param>
    Task<string> RecognizeAsync(ReadOnlyMemory<byte> image, string fileExtension, CancellationToken cancellationToken);
}

/// <summary>The engine to use when OCR is switched off: never available.</summary>
public sealed class NoOcrEngine : IOcrEngine
{
    /// <summary>Shared instance.</summary>
    public static NoOcrEngine Instance { get; } = new();

    public bool IsAvailable => false;

    public Task<string> RecognizeAsync(ReadOnlyMemory<byte> image, string fileExtension, CancellationToken cancellationToken) =>
        throw new DocumentExtractionException(ExtractionFailureKind.OcrNotConfigured, "OCR is not configured.");
}
