namespace Memic.Ingestion.Extraction;

/// <summary>
/// Limits that keep one hostile or huge file from exhausting the worker. Anything over a limit fails
/// with <see cref="ExtractionFailureKind.LimitExceeded"/> or <see cref="ExtractionFailureKind.UnsafePackage"/>
/// rather than being silently truncated, so the customer learns why a file was not indexed.
/// </summary>
public sealed record ExtractionOptions
{
    /// <summary>Shared default instance.</summary>
    public static ExtractionOptions Default { get; } = new();

    /// <summary>Largest input read into memory (the upload limit is 100 MB by default).</summary>
    public long MaxInputBytes { get; init; } = 100L * 1024 * 1024;

    /// <summary>Most pages, slides or sheets a document may have.</summary>
    public int MaxPages { get; init; } = 5_000;

    /// <summary>Most characters of text a document may yield.</summary>
    public long MaxExtractedCharacters { get; init; } = 20_000_000;

    /// <summary>Most bytes an Office (ZIP) package may inflate to, summed over all entries.</summary>
    public long MaxPackageUncompressedBytes { get; init; } = 512L * 1024 * 1024;

    /// <summary>Most entries an Office (ZIP) package may hold.</summary>
    public int MaxPackageEntries { get; init; } = 10_000;

    /// <summary>
    /// Highest uncompressed/compressed ratio allowed for a package entry larger than
    /// <see cref="PackageRatioCheckThresholdBytes"/>. Real Office XML compresses 5–50×; bombs reach 1000×.
    /// </summary>
    public double MaxPackageCompressionRatio { get; init; } = 200;

    /// <summary>Entries smaller than this are exempt from the ratio check (tiny parts compress freakishly well).</summary>
    public long PackageRatioCheckThresholdBytes { get; init; } = 1024 * 1024;

    /// <summary>
    /// Deepest XML element nesting allowed in an Office package. The OpenXML SDK builds its element tree
    /// recursively, so a part nested tens of thousands deep would overflow the stack and kill the process;
    /// real documents stay well under 100.
    /// </summary>
    public int MaxXmlDepth { get; init; } = 256;

    /// <summary>
    /// Deepest nesting of Markdown blocks and inlines, HTML elements and JSON values. Deeper input fails
    /// instead of driving a parser into deep recursion; real documents stay well under 100 levels.
    /// </summary>
    public int MaxNestingDepth { get; init; } = 256;

    /// <summary>
    /// How long extracting one file may take. Parsers check for it between pages or nodes, so a
    /// pathological file fails with <see cref="ExtractionFailureKind.LimitExceeded"/> instead of holding a worker.
    /// </summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Most pages of one PDF that are read with OCR (pages without a text layer).</summary>
    public int MaxOcrPages { get; init; } = 200;

    /// <summary>
    /// Most pixels (width × height) of an image handed to OCR, read from the image header before decoding:
    /// a few bytes can declare 100,000 × 100,000 pixels, 10 GB once decoded. A 600 dpi A3 scan is 70 million.
    /// </summary>
    public long MaxImagePixels { get; init; } = 100_000_000;

    /// <summary>
    /// Most bytes one PDF stream (page content, font, image) may decode to. A stream deflated twice grows about
    /// a million times; this stops it while it inflates. Large enough for a 100-megapixel grayscale scan.
    /// </summary>
    public long MaxPdfStreamBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>Most characters in one CSV field (Excel holds at most 32,767 in a cell).</summary>
    public int MaxCsvFieldCharacters { get; init; } = 1_000_000;

    /// <summary>Most fields in one CSV record (Excel's column limit).</summary>
    public int MaxCsvColumns { get; init; } = 16_384;

    /// <summary>Throws when a value is out of range, naming the setting.</summary>
    public void Validate()
    {
        Require(MaxInputBytes > 0, nameof(MaxInputBytes));
        Require(MaxPages > 0, nameof(MaxPages));
        Require(MaxExtractedCharacters > 0, nameof(MaxExtractedCharacters));
        Require(MaxPackageUncompressedBytes > 0, nameof(MaxPackageUncompressedBytes));
        Require(MaxPackageEntries > 0, nameof(MaxPackageEntries));
        Require(MaxPackageCompressionRatio > 1, nameof(MaxPackageCompressionRatio));
        Require(PackageRatioCheckThresholdBytes >= 0, nameof(PackageRatioCheckThresholdBytes));
        Require(MaxOcrPages >= 0, nameof(MaxOcrPages));
        Require(Timeout > TimeSpan.Zero, nameof(Timeout));
        Require(MaxXmlDepth > 0, nameof(MaxXmlDepth));
        Require(MaxNestingDepth > 0, nameof(MaxNestingDepth));
        Require(MaxImagePixels > 0, nameof(MaxImagePixels));
        Require(MaxPdfStreamBytes > 0, nameof(MaxPdfStreamBytes));
        Require(MaxCsvFieldCharacters > 0, nameof(MaxCsvFieldCharacters));
        Require(MaxCsvColumns > 0, nameof(MaxCsvColumns));
    }

    private static void Require(bool condition, string name)
    {
        if (!condition)
        {
            throw new ArgumentOutOfRangeException(name, $"ExtractionOptions.{name} is out of range.");
        }
    }
}
