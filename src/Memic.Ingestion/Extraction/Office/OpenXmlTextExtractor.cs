using DocumentFormat.OpenXml.Packaging;
using Memic.Ingestion.Extraction.Internals;

namespace Memic.Ingestion.Extraction.Office;

/// <summary>
/// What the Office Open XML extractors share: the input read within the size limit, and the package opened by
/// <see cref="OpenXmlPackageReader"/> (zip-bomb guard, corrupt-file translation). Each format reads its own parts.
/// </summary>
public abstract class OpenXmlTextExtractor<TPackage>(ExtractionOptions? options) : IDocumentExtractor
    where TPackage : OpenXmlPackage
{
    protected ExtractionOptions Options { get; } = options ?? ExtractionOptions.Default;

    public abstract string FormatName { get; }

    public abstract IReadOnlyList<string> MimeTypes { get; }

    public abstract IReadOnlyList<string> FileExtensions { get; }

    public async Task<ExtractedDocument> ExtractAsync(Stream content, CancellationToken cancellationToken)
    {
        var bytes = await InputBuffer.ReadAllAsync(content, Options, FormatName, cancellationToken);
        return OpenXmlPackageReader.Read(bytes, Options, FormatName, Open, package => Read(package, cancellationToken), cancellationToken);
    }

    /// <summary>Opens the package read-only with the reader's settings.</summary>
    protected abstract TPackage Open(Stream stream, OpenSettings settings);

    protected abstract ExtractedDocument Read(TPackage package, CancellationToken cancellationToken);
}
