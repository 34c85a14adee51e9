using Memic.Ingestion.Extraction.Internals;

namespace Memic.Ingestion.Extraction.Ocr;

/// <summary>Reads the text in a PNG or JPEG image with OCR; a single page. Unavailable when no OCR engine is.</summary>
public sealed class ImageTextExtractor(IOcrEngine ocrEngine, ExtractionOptions? options = null) : IDocumentExtractor
{
    private readonly ExtractionOptions _options = options ?? ExtractionOptions.Default;

    public string FormatName => "image";

    public IReadOnlyList<string> MimeTypes { get; } = ["image/png", "image/jpeg", "image/jpg", "image/pjpeg"];

    public IReadOnlyList<string> FileExtensions { get; } = [".png", ".jpg", ".jpeg"];

    public string? UnavailableReason => ocrEngine.IsAvailable
        ? null
        : "Images are read with OCR, and OCR is not configured on this server (install the 'tesseract' program).";

    public async Task<ExtractedDocument> ExtractAsync(Stream content, CancellationToken cancellationToken)
    {
        var bytes = await InputBuffer.ReadAllAsync(content, _options, FormatName, cancellationToken);
        if (!ocrEngine.IsAvailable)
        {
            throw new DocumentExtractionException(ExtractionFailureKind.OcrNotConfigured, UnavailableReason!);
        }

        var extension = ImageSignature.ExtensionOf(bytes)
            ?? throw new DocumentExtractionException(ExtractionFailureKind.Corrupt, "The file is not a valid PNG or JPEG image.");
        var text = await ocrEngine.RecognizeAsync(bytes, extension, cancellationToken);

        var builder = new ExtractedDocumentBuilder(_options, FormatName);
        builder.StartPage(1);
        foreach (var paragraph in text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            builder.AddParagraph(paragraph);
        }

        if (!builder.HasText)
        {
            throw new DocumentExtractionException(ExtractionFailureKind.NoText, "OCR found no text in the image.");
        }

        return builder.Build(title: null);
    }
}

/// <summary>Recognizes image formats by their first bytes, which, unlike names, cannot be mislabelled.</summary>
internal static class ImageSignature
{
    public static string? ExtensionOf(ReadOnlySpan<byte> bytes) =>
        bytes.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]) ? ".png"
        : bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]) ? ".jpg"
        : null;
}
