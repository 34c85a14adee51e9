using Memic.Ingestion.Extraction;
using Memic.Ingestion.Extraction.Ocr;
using static Memic.Ingestion.Tests.IngestionHarness;

namespace Memic.Ingestion.Tests.Extraction;

public sealed class DocumentExtractorRegistryTests
{
    private static readonly DocumentExtractorRegistry WithoutOcr = Registry();

    [Theory]
    [InlineData("application/pdf", null, "PDF")]
    [InlineData("application/vnd.openxmlformats-officedocument.wordprocessingml.document", null, "DOCX")]
    [InlineData("application/vnd.openxmlformats-officedocument.presentationml.presentation", null, "PPTX")]
    [InlineData("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", null, "XLSX")]
    [InlineData("text/html; charset=utf-8", null, "HTML")]
    [InlineData("text/markdown", null, "Markdown")]
    [InlineData("text/plain", null, "TXT")]
    [InlineData("text/csv", null, "CSV")]
    [InlineData("application/json", null, "JSON")]
    [InlineData(null, "Report.PDF", "PDF")]
    [InlineData(null, "notes.md", "Markdown")]
    [InlineData(null, "/uploads/deck.pptx", "PPTX")]
    [InlineData(null, "xlsx", "XLSX")]
    [InlineData("application/octet-stream", "data.json", "JSON")]
    [InlineData("text/plain", "table.csv", "CSV")]
    [InlineData("application/vnd.ms-excel", "export.csv", "CSV")]
    public void Extractor_is_chosen_by_specific_mime_type_or_else_by_extension(string? mimeType, string? fileName, string expectedFormat)
    {
        Assert.Equal(expectedFormat, WithoutOcr.Find(mimeType, fileName)?.FormatName);
    }

    [Theory]
    [InlineData("application/octet-stream", "manual.md", "text/markdown")]
    [InlineData(null, "notes.md", "text/markdown")]
    [InlineData("text/plain", "table.csv", "text/csv")]
    [InlineData("application/vnd.ms-excel", "export.csv", "text/csv")]
    [InlineData("TEXT/HTML; charset=utf-8", "page.html", "text/html")]
    [InlineData("application/x-pdf", "report.pdf", "application/x-pdf")]
    [InlineData("text/plain", "readme", "text/plain")]
    public void Support_names_the_mime_type_the_file_is_read_as(string? mimeType, string fileName, string expected)
    {
        Assert.Equal(expected, WithoutOcr.CheckSupport(mimeType, fileName).MimeType);
    }

    [Theory]
    [InlineData("application/pdf", null, true)]
    [InlineData("APPLICATION/PDF; version=1.7", null, true)]
    [InlineData(null, "scan.PDF", true)]
    [InlineData(null, ".pdf", true)]
    [InlineData("text/plain", "notes.txt", false)]
    [InlineData(null, null, false)]
    public void Extractor_says_whether_it_reads_a_mime_type_or_extension(string? mimeType, string? fileName, bool expected)
    {
        IDocumentExtractor extractor = new Memic.Ingestion.Extraction.Pdf.PdfTextExtractor();

        Assert.Equal(expected, extractor.CanExtract(mimeType, fileName));
    }

    [Fact]
    public void Unknown_type_is_unsupported_with_a_reason_that_lists_supported_types()
    {
        var support = WithoutOcr.CheckSupport("application/zip", "archive.zip");

        Assert.False(support.IsSupported);
        Assert.Null(support.FormatName);
        Assert.StartsWith("Files of type '.zip' are not supported. Supported types: .pdf, .docx, .pptx, .xlsx", support.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Extracting_an_unknown_type_fails_as_unsupported()
    {
        var failure = await ExtractionFailureAsync([1, 2, 3], "archive.zip", "application/zip");

        Assert.Equal(ExtractionFailureKind.UnsupportedType, failure.Kind);
    }

    [Fact]
    public void Images_are_refused_with_a_reason_when_ocr_is_not_configured()
    {
        var support = WithoutOcr.CheckSupport("image/png", "scan.png");

        Assert.False(support.IsSupported);
        Assert.Equal("image", support.FormatName);
        Assert.Contains("OCR is not configured", support.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Images_are_supported_when_an_ocr_engine_is_available()
    {
        var support = Registry(new FakeOcrEngine("text")).CheckSupport("image/jpeg", "scan.jpg");

        Assert.True(support.IsSupported);
        Assert.Null(support.Reason);
    }

    [Theory]
    [InlineData("a.pdf")]
    [InlineData("a.txt")]
    [InlineData("a.md")]
    [InlineData("a.docx")]
    [InlineData("a.pptx")]
    [InlineData("a.xlsx")]
    [InlineData("a.html")]
    [InlineData("a.csv")]
    [InlineData("a.json")]
    public void Every_contract_document_type_is_supported_without_ocr(string fileName)
    {
        Assert.True(WithoutOcr.CheckSupport(null, fileName).IsSupported);
    }

    [Fact]
    public void Default_registry_uses_tesseract_for_images()
    {
        var registry = DocumentExtractorRegistry.CreateDefault();

        Assert.Equal(new TesseractOcrEngine().IsAvailable, registry.CheckSupport("image/png", "a.png").IsSupported);
    }
}
