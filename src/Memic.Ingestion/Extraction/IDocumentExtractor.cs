namespace Memic.Ingestion.Extraction;

/// <summary>Reads the text of one file format.</summary>
public interface IDocumentExtractor
{
    /// <summary>Short name of the format, e.g. "PDF".</summary>
    string FormatName { get; }

    /// <summary>Mime types this extractor reads (lower case, without parameters).</summary>
    IReadOnlyList<string> MimeTypes { get; }

    /// <summary>File extensions this extractor reads (lower case, with the leading dot).</summary>
    IReadOnlyList<string> FileExtensions { get; }

    /// <summary>
    /// Why this extractor cannot run on this machine (e.g. OCR engine missing), or null when it can.
    /// </summary>
    string? UnavailableReason => null;

    /// <summary>Whether this extractor reads files of the given mime type or file name/extension.</summary>
    bool CanExtract(string? mimeType, string? fileNameOrExtension) =>
        (MimeTypeNames.Normalize(mimeType) is { } mime && MimeTypes.Contains(mime))
        || (MimeTypeNames.ExtensionOf(fileNameOrExtension) is { } extension && FileExtensions.Contains(extension));

    /// <summary>
    /// Extracts the text of <paramref name="content"/>. Failures of any kind (corrupt, empty, unsafe,
    /// too large, no text) surface as <see cref="DocumentExtractionException"/>, never as a library exception.
    /// </summary>
    Task<ExtractedDocument> ExtractAsync(Stream content, CancellationToken cancellationToken);
}
