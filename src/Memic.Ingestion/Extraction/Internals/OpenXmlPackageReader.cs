using DocumentFormat.OpenXml.Packaging;

namespace Memic.Ingestion.Extraction.Internals;

/// <summary>Opens an Office package only after it passed the bomb screen, and turns SDK failures into typed ones.</summary>
internal static class OpenXmlPackageReader
{
    public static ExtractedDocument Read<TPackage>(
        byte[] bytes,
        ExtractionOptions options,
        string formatName,
        Func<Stream, OpenSettings, TPackage> open,
        Func<TPackage, ExtractedDocument> extract,
        CancellationToken cancellationToken)
        where TPackage : OpenXmlPackage
    {
        ZipPackageGuard.EnsureSafe(bytes, options, formatName, cancellationToken);
        var settings = new OpenSettings
        {
            AutoSave = false,
            // A second line of defence: the SDK refuses any single XML part longer than this.
            MaxCharactersInPart = options.MaxPackageUncompressedBytes,
        };

        return ExtractionFailures.Guard(formatName, () =>
        {
            using var package = open(new MemoryStream(bytes, writable: false), settings);
            return extract(package);
        });
    }
}
