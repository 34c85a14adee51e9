using Memic.Ingestion.Extraction;
using Memic.TestDocuments;
using static Memic.Ingestion.Tests.IngestionHarness;

namespace Memic.Ingestion.Tests.Extraction;

public sealed class PdfTextExtractorTests
{
    private const string KnownSentence = "The quarterly audit found seventeen unreconciled invoices.";

    private static byte[] FourPagePdfWithKnownSentenceOnPageThree() => PdfFixtures.TextPdf(
    [
        new TestPage("Section One", Filler("page one", 6)),
        new TestPage("Section Two", Filler("page two", 6)),
        new TestPage("Section Three", [.. Filler("page three", 2), KnownSentence, .. Filler("page three end", 2)]),
        new TestPage("Section Four", Filler("page four", 6)),
    ]);

    [Fact]
    public async Task Pdf_sentence_on_page_three_is_chunked_with_page_three()
    {
        var (document, chunks) = await ExtractAndChunkAsync(FourPagePdfWithKnownSentenceOnPageThree(), "report.pdf", "application/pdf");

        Assert.Equal(4, document.PageCount);
        Assert.Contains(KnownSentence, document.Pages[2].Text, StringComparison.Ordinal);
        var chunk = ChunkContaining(chunks, KnownSentence);
        Assert.Equal(3, chunk.PageNumber);
        Assert.Equal(3, chunk.StartPage);
        Assert.Equal(3, chunk.EndPage);
    }

    [Fact]
    public async Task Pdf_large_font_lines_become_headings_that_start_chunks()
    {
        var (document, chunks) = await ExtractAndChunkAsync(FourPagePdfWithKnownSentenceOnPageThree(), "report.pdf");

        var headings = document.Pages.SelectMany(page => page.Blocks).Where(block => block.Kind == BlockKind.Heading).Select(block => block.Text);
        Assert.Equal(["Section One", "Section Two", "Section Three", "Section Four"], headings);
        Assert.Equal(["Section Three"], ChunkContaining(chunks, KnownSentence).HeadingPath);
        Assert.StartsWith("Section Three", ChunkContaining(chunks, KnownSentence).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pdf_lines_of_one_paragraph_are_joined_with_single_spaces_in_reading_order()
    {
        var document = await ExtractAsync(PdfFixtures.TextPdf([new TestPage("Heading", ["first line of text", "second line of text"])]), "a.pdf");

        var paragraph = Assert.Single(document.Pages[0].Blocks, block => block.Kind == BlockKind.Paragraph);
        Assert.Equal("first line of text second line of text", paragraph.Text);
    }

    [Fact]
    public async Task Pdf_scanned_page_is_read_with_ocr_and_keeps_its_page_number()
    {
        var png = PngText.Render("SCANNED TEXT");
        var ocr = new FakeOcrEngine("Scanned invoice total is 4200 euros.");

        var (_, chunks) = await ExtractAndChunkAsync(PdfFixtures.PdfWithImagePage(3, imagePage: 2, png), "scan.pdf", ocrEngine: ocr);

        var call = Assert.Single(ocr.Calls);
        Assert.Equal(".png", call.Extension);
        Assert.Equal(2, ChunkContaining(chunks, "Scanned invoice total is 4200 euros.").PageNumber);
    }

    [Fact]
    public async Task Pdf_scanned_page_larger_than_the_pixel_limit_fails_before_ocr()
    {
        var png = PngText.Render("SCANNED TEXT");
        var ocr = new FakeOcrEngine("never read");
        var options = new ExtractionOptions { MaxImagePixels = 100 };

        var failure = await ExtractionFailureAsync(PdfFixtures.PdfWithImagePage(3, imagePage: 2, png), "scan.pdf", ocrEngine: ocr, options: options);

        Assert.Equal(ExtractionFailureKind.LimitExceeded, failure.Kind);
        Assert.StartsWith("An image on page 2 of the PDF is ", failure.Message, StringComparison.Ordinal);
        Assert.Empty(ocr.Calls);
    }

    [Fact]
    public async Task Pdf_stream_that_inflates_past_the_stream_limit_fails_while_inflating()
    {
        var pdf = HostileDocuments.NestedDeflatePdf(decodedBytes: 8L * 1024 * 1024).Content;
        var options = new ExtractionOptions { MaxPdfStreamBytes = 4L * 1024 * 1024 };

        var failure = await ExtractionFailureAsync(pdf, "nested.pdf", options: options);

        Assert.Equal(ExtractionFailureKind.LimitExceeded, failure.Kind);
        Assert.Equal("A stream in the PDF decodes to more than 4 MB, the extraction limit.", failure.Message);
    }

    [Fact]
    public async Task Pdf_stream_within_the_stream_limit_decodes_as_before()
    {
        var pdf = HostileDocuments.NestedDeflatePdf(decodedBytes: 1024 * 1024).Content;

        var failure = await ExtractionFailureAsync(pdf, "blank.pdf");

        Assert.Equal(ExtractionFailureKind.NoTextLayer, failure.Kind);
    }
}
