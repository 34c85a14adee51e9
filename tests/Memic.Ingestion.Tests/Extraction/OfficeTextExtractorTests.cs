using Memic.Ingestion.Extraction;
using Memic.TestDocuments;
using static Memic.TestDocuments.OfficeFixtures;
using static Memic.Ingestion.Tests.IngestionHarness;

namespace Memic.Ingestion.Tests.Extraction;

public sealed class DocxTextExtractorTests
{
    private const string KnownSentence = "The pension fund reserve was raised to nine million.";

    [Fact]
    public async Task Docx_sentence_on_page_three_is_chunked_with_page_three()
    {
        var docx = Docx(
        [
            new DocxHeading("Overview", 1), .. Filler("overview", 4).Select(text => new DocxParagraph(text)),
            new DocxPageBreak(),
            new DocxHeading("Costs", 1), .. Filler("costs", 4).Select(text => new DocxParagraph(text)),
            new DocxPageBreak(),
            new DocxHeading("Findings", 1), new DocxParagraph(KnownSentence),
            new DocxPageBreak(),
            new DocxHeading("Appendix", 1), .. Filler("appendix", 4).Select(text => new DocxParagraph(text)),
        ]);

        var (document, chunks) = await ExtractAndChunkAsync(docx, "report.docx");

        Assert.Equal(4, document.PageCount);
        var chunk = ChunkContaining(chunks, KnownSentence);
        Assert.Equal(3, chunk.PageNumber);
        Assert.Equal(["Findings"], chunk.HeadingPath);
    }

    [Fact]
    public async Task Docx_rendered_page_break_right_after_an_explicit_break_is_counted_once()
    {
        var docx = Docx(
        [
            new DocxParagraph("First page text."),
            new DocxPageBreak(),
            new DocxRenderedBreakParagraph("Second page text."),
            new DocxParagraph("More second page text."),
            new DocxRenderedBreakParagraph("Third page text."),
        ]);

        var document = await ExtractAsync(docx, "breaks.docx");

        Assert.Equal(3, document.PageCount);
        Assert.Equal("Second page text.\n\nMore second page text.", document.Pages[1].Text);
        Assert.Equal("Third page text.", document.Pages[2].Text);
    }

    [Fact]
    public async Task Docx_headings_lists_and_tables_keep_their_structure()
    {
        var docx = Docx(
        [
            new DocxHeading("Chapter 1", 1),
            new DocxParagraph("Opening words."),
            new DocxHeading("Chapter 2", 1),
            new DocxHeading("Costs", 2),
            new DocxListItem("Rent is paid monthly", 0),
            new DocxListItem("Deposit is refundable", 1),
            new DocxTable([["Item", "Cost"], ["Rent", "1200"]]),
        ],
        title: "Lease summary");

        var (document, chunks) = await ExtractAndChunkAsync(docx, "lease.docx");

        Assert.Equal("Lease summary", document.Title);
        Assert.Equal(
            [
                new DocumentBlock(BlockKind.Heading, "Chapter 1", 1),
                new DocumentBlock(BlockKind.Paragraph, "Opening words."),
                new DocumentBlock(BlockKind.Heading, "Chapter 2", 1),
                new DocumentBlock(BlockKind.Heading, "Costs", 2),
                new DocumentBlock(BlockKind.ListItem, "Rent is paid monthly", 0),
                new DocumentBlock(BlockKind.ListItem, "Deposit is refundable", 1),
                new DocumentBlock(BlockKind.TableRow, "Item | Cost"),
                new DocumentBlock(BlockKind.TableRow, "Rent | 1200"),
            ],
            document.Pages[0].Blocks);
        var costs = ChunkContaining(chunks, "Rent | 1200");
        Assert.Equal(["Chapter 2", "Costs"], costs.HeadingPath);
        Assert.Contains("- Rent is paid monthly\n  - Deposit is refundable", costs.Text, StringComparison.Ordinal);
    }
}

public sealed class PptxTextExtractorTests
{
    private const string KnownSentence = "Churn fell by four percent after the loyalty launch.";

    [Fact]
    public async Task Pptx_sentence_on_slide_three_is_chunked_with_page_three()
    {
        var pptx = Pptx(
        [
            new TestSlide("Agenda", Filler("agenda", 3)),
            new TestSlide("Market", Filler("market", 3)),
            new TestSlide("Results", [KnownSentence]),
            new TestSlide("Next steps", Filler("next steps", 3)),
        ]);

        var (document, chunks) = await ExtractAndChunkAsync(pptx, "deck.pptx");

        Assert.Equal(4, document.PageCount);
        var chunk = ChunkContaining(chunks, KnownSentence);
        Assert.Equal(3, chunk.PageNumber);
        Assert.Equal(["Results"], chunk.HeadingPath);
    }

    [Fact]
    public async Task Pptx_speaker_notes_tables_and_untitled_slides_are_extracted()
    {
        var pptx = Pptx(
        [
            new TestSlide("Welcome", ["Point one"], Notes: "Remind everyone about the fire drill."),
            new TestSlide(null, ["Untitled body text"], Table: [["Region", "Sales"], ["North", "12"]]),
        ]);

        var (document, chunks) = await ExtractAndChunkAsync(pptx, "deck.pptx");

        var notes = ChunkContaining(chunks, "Remind everyone about the fire drill.");
        Assert.Equal(1, notes.PageNumber);
        Assert.Equal(["Welcome", "Speaker notes"], notes.HeadingPath);
        Assert.Equal(new DocumentBlock(BlockKind.Heading, "Slide 2", 1), document.Pages[1].Blocks[0]);
        Assert.Contains(new DocumentBlock(BlockKind.TableRow, "North | 12"), document.Pages[1].Blocks);
        Assert.Equal(2, ChunkContaining(chunks, "North | 12").PageNumber);
    }
}

public sealed class XlsxTextExtractorTests
{
    [Fact]
    public async Task Xlsx_sentence_on_sheet_three_is_chunked_with_page_three()
    {
        const string knownSentence = "Supplier Kestrel Ltd delivered late twice.";
        var xlsx = Xlsx(
        [
            new TestSheet("Summary", [[new SharedText("Total"), new Number(10)]]),
            new TestSheet("Empty", []),
            new TestSheet("Notes", [[new SharedText("Note"), new SharedText(knownSentence)]]),
        ]);

        var (document, chunks) = await ExtractAndChunkAsync(xlsx, "book.xlsx");

        Assert.Equal(3, document.PageCount);
        var chunk = ChunkContaining(chunks, knownSentence);
        Assert.Equal(3, chunk.PageNumber);
        Assert.Equal(["Notes"], chunk.HeadingPath);
        Assert.Equal("Notes\nNote | " + knownSentence, chunk.Text);
    }

    [Fact]
    public async Task Xlsx_cells_resolve_shared_and_inline_strings_and_format_numbers_dates_and_percentages()
    {
        var xlsx = Xlsx(
        [
            new TestSheet("Budget",
            [
                [new SharedText("Name"), new SharedText("When"), new SharedText("Amount"), new SharedText("Share")],
                [new InlineText("Rent"), new Date(new DateTime(2024, 3, 15)), new Number(1200.5), new Percent(0.25)],
                [new SharedText("Rounding"), null, new Number(0.1 + 0.2)],
            ]),
        ]);

        var document = await ExtractAsync(xlsx, "budget.xlsx");

        Assert.Equal(
            ["Budget", "Name | When | Amount | Share", "Rent | 2024-03-15 | 1200.5 | 25%", "Rounding |  | 0.3"],
            document.Pages[0].Blocks.Select(block => block.Text));
    }
}
