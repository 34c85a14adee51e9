using Memic.Ingestion.Extraction;
using Memic.Ingestion.Extraction.Ocr;
using Memic.TestDocuments;
using static Memic.Ingestion.Tests.IngestionHarness;

namespace Memic.Ingestion.Tests.Extraction;

public sealed class OcrTests
{
    private const string TesseractMissing = "The 'tesseract' program is not on PATH (Debian package tesseract-ocr); OCR tests need it.";

    private static readonly TesseractOcrEngine Tesseract = new();

    [Fact]
    public async Task Png_text_is_read_with_tesseract_and_chunked_on_page_one()
    {
        Assert.SkipUnless(Tesseract.IsAvailable, TesseractMissing);
        var png = PngText.Render("THE BOILER ROOM KEY\nIS UNDER THE MAT");

        var (_, chunks) = await ExtractAndChunkAsync(png, "photo.png", "image/png", Tesseract);

        var chunk = ChunkContaining(chunks, "BOILER ROOM KEY");
        Assert.Equal(1, chunk.PageNumber);
        Assert.Contains("UNDER THE MAT", chunk.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scanned_pdf_page_is_read_with_tesseract_and_keeps_its_page_number()
    {
        Assert.SkipUnless(Tesseract.IsAvailable, TesseractMissing);
        var pdf = PdfFixtures.PdfWithImagePage(pageCount: 3, imagePage: 2, PngText.Render("THE BOILER ROOM KEY\nIS UNDER THE MAT"));

        var (_, chunks) = await ExtractAndChunkAsync(pdf, "scan.pdf", "application/pdf", Tesseract);

        Assert.Equal(2, ChunkContaining(chunks, "BOILER ROOM KEY").PageNumber);
    }

    [Fact]
    public async Task Image_without_an_ocr_program_fails_saying_ocr_is_not_configured()
    {
        var missing = new TesseractOcrEngine(new TesseractOcrOptions { ExecutablePath = "/nonexistent/bin/tesseract" });

        var failure = await ExtractionFailureAsync(PngText.Render("HELLO"), "photo.png", "image/png", missing);

        Assert.False(missing.IsAvailable);
        Assert.Equal(ExtractionFailureKind.OcrNotConfigured, failure.Kind);
        Assert.Equal("Images are read with OCR, and OCR is not configured on this server (install the 'tesseract' program).", failure.Message);
    }

    [Fact]
    public async Task Bytes_that_are_not_an_image_fail_as_corrupt_without_running_ocr()
    {
        var ocr = new FakeOcrEngine("should not be used");

        var failure = await ExtractionFailureAsync("GIF89a not really"u8.ToArray(), "photo.jpg", "image/jpeg", ocr);

        Assert.Equal(ExtractionFailureKind.Corrupt, failure.Kind);
        Assert.Equal("The file is not a valid PNG or JPEG image.", failure.Message);
        Assert.Empty(ocr.Calls);
    }

    [Fact]
    public async Task Image_in_which_ocr_finds_nothing_fails_as_no_text()
    {
        var failure = await ExtractionFailureAsync(PngText.Render(" "), "blank.png", ocrEngine: new FakeOcrEngine("  \n\f"));

        Assert.Equal(ExtractionFailureKind.NoText, failure.Kind);
        Assert.Equal("OCR found no text in the image.", failure.Message);
    }
}
