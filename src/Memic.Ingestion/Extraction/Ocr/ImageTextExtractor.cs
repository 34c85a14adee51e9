using System.Buffers.Binary;
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
        ImageSignature.EnsureWithinPixelLimit(ImageSignature.DimensionsOf(bytes), _options, "The image");
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

    /// <summary>
    /// The width and height a PNG or JPEG header declares, read without decoding any pixels; null when the
    /// header is not found (the OCR engine then reports the image as unreadable).
    /// </summary>
    public static (long Width, long Height)? DimensionsOf(ReadOnlySpan<byte> bytes)
    {
        if (ExtensionOf(bytes) == ".png")
        {
            // The IHDR chunk comes first: length(4) "IHDR"(4) width(4) height(4), big-endian.
            return bytes.Length >= 24 && bytes[12..16].SequenceEqual("IHDR"u8)
                ? (BinaryPrimitives.ReadUInt32BigEndian(bytes[16..]), BinaryPrimitives.ReadUInt32BigEndian(bytes[20..]))
                : null;
        }

        if (ExtensionOf(bytes) == ".jpg")
        {
            // Walk the marker segments to the first start-of-frame (SOF0–SOF15 except DHT, JPG and DAC).
            var index = 2;
            while (index + 9 <= bytes.Length && bytes[index] == 0xFF)
            {
                var marker = bytes[index + 1];
                if (marker == 0xFF)
                {
                    index++;
                    continue;
                }

                if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
                {
                    return (BinaryPrimitives.ReadUInt16BigEndian(bytes[(index + 7)..]), BinaryPrimitives.ReadUInt16BigEndian(bytes[(index + 5)..]));
                }

                if (marker is 0xD9 or 0xDA)
                {
                    return null;
                }

                index += 2 + (marker is >= 0xD0 and <= 0xD7 or 0x01 ? 0 : BinaryPrimitives.ReadUInt16BigEndian(bytes[(index + 2)..]));
            }
        }

        return null;
    }

    /// <summary>Refuses an image whose declared size is over <see cref="ExtractionOptions.MaxImagePixels"/>.</summary>
    public static void EnsureWithinPixelLimit((long Width, long Height)? dimensions, ExtractionOptions options, string what)
    {
        if (dimensions is ({ } width, { } height) && width * height > options.MaxImagePixels)
        {
            throw new DocumentExtractionException(ExtractionFailureKind.LimitExceeded,
                $"{what} is {width:N0} × {height:N0} pixels, more than the OCR limit of {options.MaxImagePixels / 1_000_000.0:0.#} million pixels.");
        }
    }
}
