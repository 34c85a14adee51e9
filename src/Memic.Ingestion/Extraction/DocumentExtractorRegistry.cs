using Memic.Ingestion.Extraction.Html;
using Memic.Ingestion.Extraction.Ocr;
using Memic.Ingestion.Extraction.Office;
using Memic.Ingestion.Extraction.Pdf;
using Memic.Ingestion.Extraction.TextFormats;

namespace Memic.Ingestion.Extraction;

/// <summary>Whether a file type can be ingested here, and if not, a reason fit for the customer.</summary>
/// <param name="IsSupported">True when an extractor exists and can run.</param>
/// <param name="FormatName">The format the file would be read as, when one matched.</param>
/// <param name="Reason">Why the type is refused; null when supported.</param>
/// <param name="MimeType">The mime type the file is read as: the declared one when it names the format, otherwise the
/// format's own (a Markdown file sent as application/octet-stream is text/markdown). Null when no extractor matched.</param>
public sealed record DocumentTypeSupport(bool IsSupported, string? FormatName, string? Reason, string? MimeType = null);

/// <summary>Picks the extractor for a file by mime type or file extension.</summary>
/// <remarks>
/// A specific mime type wins; a generic one (application/octet-stream, text/plain, none) defers to the
/// extension, because browsers and SDKs label .md, .csv and .json uploads that way. Only when the
/// extension is unknown too does a generic type choose (text/plain reads as TXT).
/// </remarks>
public sealed class DocumentExtractorRegistry
{
    private readonly TimeSpan _timeout;

    /// <param name="extractors">The extractors, in lookup order.</param>
    /// <param name="options">Supplies the per-file <see cref="ExtractionOptions.Timeout"/>.</param>
    public DocumentExtractorRegistry(IEnumerable<IDocumentExtractor> extractors, ExtractionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(extractors);
        options ??= ExtractionOptions.Default;
        options.Validate();
        Extractors = extractors.ToArray();
        _timeout = options.Timeout;
    }

    /// <summary>The extractors in lookup order.</summary>
    public IReadOnlyList<IDocumentExtractor> Extractors { get; }

    /// <summary>
    /// Every supported format: PDF, DOCX, PPTX, XLSX, HTML, Markdown, TXT, CSV, JSON, and PNG/JPEG through
    /// <paramref name="ocrEngine"/> (default: the tesseract program when it is on PATH). Scanned PDF pages
    /// use the same OCR engine.
    /// </summary>
    public static DocumentExtractorRegistry CreateDefault(ExtractionOptions? options = null, IOcrEngine? ocrEngine = null)
    {
        options ??= ExtractionOptions.Default;
        ocrEngine ??= new TesseractOcrEngine();
        return new DocumentExtractorRegistry(
        [
            new PdfTextExtractor(options, ocrEngine),
            new DocxTextExtractor(options),
            new PptxTextExtractor(options),
            new XlsxTextExtractor(options),
            new HtmlTextExtractor(options),
            new MarkdownTextExtractor(options),
            new CsvTextExtractor(options),
            new JsonTextExtractor(options),
            new PlainTextExtractor(options),
            new ImageTextExtractor(ocrEngine, options),
        ],
        options);
    }

    /// <summary>The extractor for this file, or null when no extractor reads it (availability is not considered).</summary>
    public IDocumentExtractor? Find(string? mimeType, string? fileName)
    {
        var mime = MimeTypeNames.Normalize(mimeType);
        var extension = MimeTypeNames.ExtensionOf(fileName);
        var isGeneric = mime is null || MimeTypeNames.Generic.Contains(mime);

        if (!isGeneric && Extractors.FirstOrDefault(extractor => extractor.MimeTypes.Contains(mime!)) is { } byMime)
        {
            return byMime;
        }

        if (extension is not null && Extractors.FirstOrDefault(extractor => extractor.FileExtensions.Contains(extension)) is { } byExtension)
        {
            return byExtension;
        }

        return mime is null ? null : Extractors.FirstOrDefault(extractor => extractor.MimeTypes.Contains(mime));
    }

    /// <summary>Whether this file type can be ingested here; used to refuse an upload before any bytes move.</summary>
    public DocumentTypeSupport CheckSupport(string? mimeType, string? fileName)
    {
        if (Find(mimeType, fileName) is not { } extractor)
        {
            return new DocumentTypeSupport(false, null, UnsupportedMessage(mimeType, fileName));
        }

        var readAs = MimeTypeNames.Normalize(mimeType) is { } declared && extractor.MimeTypes.Contains(declared) ? declared : extractor.MimeTypes[0];
        return extractor.UnavailableReason is { } reason
            ? new DocumentTypeSupport(false, extractor.FormatName, reason, readAs)
            : new DocumentTypeSupport(true, extractor.FormatName, null, readAs);
    }

    /// <summary>
    /// Extracts the file with the matching extractor within <see cref="ExtractionOptions.Timeout"/>. Every
    /// failure, including an unsupported or unavailable type and the timeout, is a <see cref="DocumentExtractionException"/>;
    /// only cancellation through <paramref name="cancellationToken"/> surfaces as <see cref="OperationCanceledException"/>.
    /// </summary>
    public async Task<ExtractedDocument> ExtractAsync(Stream content, string? mimeType, string? fileName, CancellationToken cancellationToken)
    {
        var support = CheckSupport(mimeType, fileName);
        if (!support.IsSupported)
        {
            var kind = support.FormatName is null ? ExtractionFailureKind.UnsupportedType : ExtractionFailureKind.OcrNotConfigured;
            throw new DocumentExtractionException(kind, support.Reason!);
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_timeout);
        try
        {
            return await Find(mimeType, fileName)!.ExtractAsync(content, deadline.Token);
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DocumentExtractionException(ExtractionFailureKind.LimitExceeded,
                $"Extracting the {support.FormatName} took longer than {Describe(_timeout)}, the extraction time limit.", exception);
        }
    }

    private static string Describe(TimeSpan duration) =>
        duration < TimeSpan.FromMinutes(1) ? $"{duration.TotalSeconds:0.#} seconds" : $"{duration.TotalMinutes:0.#} minutes";

    private string UnsupportedMessage(string? mimeType, string? fileName)
    {
        var what = MimeTypeNames.ExtensionOf(fileName) ?? MimeTypeNames.Normalize(mimeType) ?? "unknown";
        var formats = string.Join(", ", Extractors.SelectMany(extractor => extractor.FileExtensions).Distinct());
        return $"Files of type '{what}' are not supported. Supported types: {formats}.";
    }
}
