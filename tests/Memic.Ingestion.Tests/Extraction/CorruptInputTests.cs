using System.Text;
using Memic.Ingestion.Extraction;
using Memic.TestDocuments;
using static Memic.TestDocuments.OfficeFixtures;
using static Memic.Ingestion.Tests.IngestionHarness;

namespace Memic.Ingestion.Tests.Extraction;

public sealed class CorruptInputTests
{
    [Fact]
    public async Task Truncated_pdf_fails_as_corrupt()
    {
        var pdf = PdfFixtures.TextPdf([new TestPage("Heading", Filler("pdf", 5)), new TestPage("Second", Filler("pdf two", 5))]);

        var failure = await ExtractionFailureAsync(pdf[..(pdf.Length * 2 / 3)], "cut.pdf");

        Assert.Equal(ExtractionFailureKind.Corrupt, failure.Kind);
        Assert.Equal("The file is not a valid PDF document, or it is damaged.", failure.Message);
    }

    [Fact]
    public async Task Pdf_header_followed_by_garbage_fails_as_corrupt()
    {
        var bytes = "%PDF-1.7\n"u8.ToArray().Concat(Enumerable.Range(0, 4096).Select(index => (byte)(index * 31 % 251))).ToArray();

        var failure = await ExtractionFailureAsync(bytes, "garbage.pdf");

        Assert.Equal(ExtractionFailureKind.Corrupt, failure.Kind);
    }

    [Fact]
    public async Task File_named_pdf_without_a_pdf_header_fails_as_corrupt()
    {
        var failure = await ExtractionFailureAsync("just some text"u8.ToArray(), "fake.pdf");

        Assert.Equal(ExtractionFailureKind.Corrupt, failure.Kind);
        Assert.Equal("The file is not a valid PDF document: it has no PDF header.", failure.Message);
    }

    [Fact]
    public async Task Pdf_without_a_text_layer_fails_saying_ocr_is_not_configured()
    {
        var failure = await ExtractionFailureAsync(PdfFixtures.PdfWithoutText(2), "scan.pdf");

        Assert.Equal(ExtractionFailureKind.NoTextLayer, failure.Kind);
        Assert.Equal("The PDF has no text layer; OCR is not configured.", failure.Message);
    }

    [Fact]
    public async Task Pdf_without_a_text_layer_or_images_fails_as_no_text_when_ocr_is_configured()
    {
        var ocr = new FakeOcrEngine("unused");

        var failure = await ExtractionFailureAsync(PdfFixtures.PdfWithoutText(2), "scan.pdf", ocrEngine: ocr);

        Assert.Equal(ExtractionFailureKind.NoText, failure.Kind);
        Assert.Equal("The PDF has no text layer, and OCR found no text in it.", failure.Message);
        Assert.Empty(ocr.Calls);
    }

    [Fact]
    public async Task Random_bytes_named_docx_fail_as_corrupt()
    {
        var random = new Random(7);
        var bytes = new byte[4096];
        random.NextBytes(bytes);

        var failure = await ExtractionFailureAsync(bytes, "report.docx");

        Assert.Equal(ExtractionFailureKind.Corrupt, failure.Kind);
        Assert.Equal("The file is not a valid DOCX document: it is not a readable ZIP package.", failure.Message);
    }

    [Fact]
    public async Task Workbook_named_docx_fails_as_corrupt()
    {
        var xlsx = Xlsx([new TestSheet("Sheet", [[new SharedText("text")]])]);

        var failure = await ExtractionFailureAsync(xlsx, "report.docx");

        Assert.Equal(ExtractionFailureKind.Corrupt, failure.Kind);
        Assert.Equal("The file is not a valid DOCX document, or it is damaged.", failure.Message);
    }

    [Fact]
    public async Task Password_protected_office_file_fails_as_encrypted()
    {
        byte[] compoundFileHeader = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, .. new byte[504]];

        var failure = await ExtractionFailureAsync(compoundFileHeader, "secret.xlsx");

        Assert.Equal(ExtractionFailureKind.Encrypted, failure.Kind);
        Assert.Contains("password-protected", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Zip_bomb_named_xlsx_is_refused_before_it_is_inflated()
    {
        var bomb = ZipFixtures.Bomb("xl/worksheets/sheet1.xml", 300L * 1024 * 1024);

        var failure = await ExtractionFailureAsync(bomb, "bomb.xlsx");

        Assert.True(bomb.Length < 2 * 1024 * 1024, "the bomb should be small on disk");
        Assert.Equal(ExtractionFailureKind.UnsafePackage, failure.Kind);
        Assert.Equal("The XLSX file was refused as unsafe to open: an entry is compressed more than 200 times, like a decompression bomb.", failure.Message);
    }

    [Fact]
    public async Task Package_that_inflates_past_the_total_cap_is_refused()
    {
        var manyDistinctStrings = Enumerable.Range(0, 40_000)
            .Select(index => (IReadOnlyList<XlsxCell?>)[new SharedText($"Distinct value {index * 7919 % 100_003} for row {index}")])
            .ToList();
        var xlsx = Xlsx([new TestSheet("Data", manyDistinctStrings)]);
        var options = new ExtractionOptions { MaxPackageUncompressedBytes = 1024 * 1024 };

        var failure = await ExtractionFailureAsync(xlsx, "big.xlsx", options: options);

        Assert.Equal(ExtractionFailureKind.UnsafePackage, failure.Kind);
        Assert.Equal("The XLSX file was refused as unsafe to open: it expands to more than 1 MB.", failure.Message);
    }

    [Fact]
    public async Task Package_with_too_many_entries_is_refused()
    {
        var failure = await ExtractionFailureAsync(ZipFixtures.ManyEntries(10_001), "many.pptx");

        Assert.Equal(ExtractionFailureKind.UnsafePackage, failure.Kind);
        Assert.Equal("The PPTX file was refused as unsafe to open: it holds 10,001 entries (limit 10,000).", failure.Message);
    }

    [Fact]
    public async Task Package_entry_that_understates_its_size_is_not_read_past_the_declared_size()
    {
        var liar = ZipFixtures.UnderstateFirstEntrySize(ZipFixtures.Bomb("[Content_Types].xml", 20L * 1024 * 1024), declaredSize: 100);

        var failure = await ExtractionFailureAsync(liar, "liar.xlsx");

        Assert.Equal(ExtractionFailureKind.Corrupt, failure.Kind);
        Assert.Equal("The file is not a valid XLSX document, or it is damaged.", failure.Message);
    }

    [Fact]
    public async Task Docx_nested_deep_enough_to_overflow_the_stack_is_refused_before_it_is_parsed()
    {
        var deep = OfficeFixtures.DocxWithNestedContentControls(depth: 50_000, innermostText: "deep");

        var failure = await ExtractionFailureAsync(deep, "deep.docx");

        Assert.Equal(ExtractionFailureKind.UnsafePackage, failure.Kind);
        Assert.Equal("The DOCX file was refused as unsafe to open: its XML is nested more than 256 levels deep.", failure.Message);
    }

    [Fact]
    public async Task Docx_with_moderately_nested_content_controls_is_read()
    {
        var nested = OfficeFixtures.DocxWithNestedContentControls(depth: 20, innermostText: "Inner clause text.");

        var document = await ExtractAsync(nested, "nested.docx");

        Assert.Contains("Inner clause text.", document.Pages[0].Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a.pdf", "PDF")]
    [InlineData("a.docx", "DOCX")]
    [InlineData("a.pptx", "PPTX")]
    [InlineData("a.xlsx", "XLSX")]
    [InlineData("a.html", "HTML")]
    [InlineData("a.md", "Markdown")]
    [InlineData("a.txt", "TXT")]
    [InlineData("a.csv", "CSV")]
    [InlineData("a.json", "JSON")]
    [InlineData("a.png", "image")]
    public async Task Empty_file_fails_as_empty(string fileName, string formatName)
    {
        var failure = await ExtractionFailureAsync([], fileName, ocrEngine: new FakeOcrEngine("unused"));

        Assert.Equal(ExtractionFailureKind.Empty, failure.Kind);
        Assert.Equal($"The {formatName} file is empty.", failure.Message);
    }

    [Fact]
    public async Task Whitespace_only_text_file_fails_as_having_no_text()
    {
        var failure = await ExtractionFailureAsync("  \n\n \f \n"u8.ToArray(), "blank.txt");

        Assert.Equal(ExtractionFailureKind.NoText, failure.Kind);
        Assert.Equal("The TXT contains no extractable text.", failure.Message);
    }

    [Fact]
    public async Task Docx_without_any_text_fails_as_having_no_text()
    {
        var failure = await ExtractionFailureAsync(Docx([new DocxPageBreak()]), "blank.docx");

        Assert.Equal(ExtractionFailureKind.NoText, failure.Kind);
        Assert.Equal("The DOCX contains no extractable text.", failure.Message);
    }

    [Fact]
    public async Task Binary_data_named_txt_fails_as_not_text()
    {
        var failure = await ExtractionFailureAsync([0x7F, 0x45, 0x4C, 0x46, 0, 0, 0, 1, 0, 0, 0, 0], "program.txt");

        Assert.Equal(ExtractionFailureKind.Corrupt, failure.Kind);
        Assert.Equal("The TXT file is not text: it contains binary data.", failure.Message);
    }

    [Fact]
    public async Task Csv_with_an_unterminated_quote_fails_as_corrupt()
    {
        var failure = await ExtractionFailureAsync(Encoding.UTF8.GetBytes("a,b\n1,2\n3,\"never closed\n4,5\n"), "data.csv");

        Assert.Equal(ExtractionFailureKind.Corrupt, failure.Kind);
        Assert.Equal("The CSV file is damaged: a quoted field that starts on line 3 is never closed.", failure.Message);
    }

    [Fact]
    public async Task Document_with_more_pages_than_the_limit_fails_as_limit_exceeded()
    {
        var failure = await ExtractionFailureAsync("1\f2\f3\f4"u8.ToArray(), "pages.txt", options: new ExtractionOptions { MaxPages = 3 });

        Assert.Equal(ExtractionFailureKind.LimitExceeded, failure.Kind);
        Assert.Equal("The TXT has more than 3 pages, the extraction limit.", failure.Message);
    }

    [Fact]
    public async Task Pdf_with_more_pages_than_the_limit_fails_before_reading_them()
    {
        var pdf = PdfFixtures.TextPdf([new TestPage("A", ["a"]), new TestPage("B", ["b"]), new TestPage("C", ["c"])]);

        var failure = await ExtractionFailureAsync(pdf, "long.pdf", options: new ExtractionOptions { MaxPages = 2 });

        Assert.Equal(ExtractionFailureKind.LimitExceeded, failure.Kind);
        Assert.Equal("The PDF has 3 pages, more than the extraction limit of 2.", failure.Message);
    }

    [Fact]
    public async Task Document_with_more_text_than_the_limit_fails_as_limit_exceeded()
    {
        var failure = await ExtractionFailureAsync(Encoding.UTF8.GetBytes(new string('x', 500)), "long.md", options: new ExtractionOptions { MaxExtractedCharacters = 100 });

        Assert.Equal(ExtractionFailureKind.LimitExceeded, failure.Kind);
        Assert.Equal("The Markdown has more than 100 characters of text, the extraction limit.", failure.Message);
    }

    [Fact]
    public async Task File_larger_than_the_input_limit_fails_as_limit_exceeded()
    {
        var failure = await ExtractionFailureAsync(new byte[3 * 1024 * 1024], "huge.json", options: new ExtractionOptions { MaxInputBytes = 2 * 1024 * 1024 });

        Assert.Equal(ExtractionFailureKind.LimitExceeded, failure.Kind);
        Assert.Equal("The JSON file is larger than the 2 MB extraction limit.", failure.Message);
    }
}

public sealed class ExtractionLimitTests
{
    [Fact]
    public async Task Pathologically_nested_html_fails_at_the_time_limit_instead_of_holding_the_worker()
    {
        // The nesting limit refuses this up front by default; lifted, the time limit is what stops it.
        var html = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("<div>", 100_000)) + "deep");
        var options = new ExtractionOptions { Timeout = TimeSpan.FromMilliseconds(500), MaxNestingDepth = 1_000_000 };

        var failure = await ExtractionFailureAsync(html, "deep.html", options: options);

        Assert.Equal(ExtractionFailureKind.LimitExceeded, failure.Kind);
        Assert.Equal("Extracting the HTML took longer than 0.5 seconds, the extraction time limit.", failure.Message);
    }

    [Fact]
    public async Task Cancellation_by_the_caller_is_not_reported_as_a_document_failure()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes("plain text"));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => Registry().ExtractAsync(stream, "text/plain", "a.txt", cancelled.Token));
    }

    [Fact]
    public async Task Non_seekable_stream_is_read_like_a_seekable_one()
    {
        using var stream = new NonSeekableStream(Encoding.UTF8.GetBytes("Streamed paragraph."));

        var document = await Registry().ExtractAsync(stream, "text/plain", "a.txt", TestContext.Current.CancellationToken);

        Assert.Equal("Streamed paragraph.", document.Pages[0].Text);
    }

    private sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();
    }
}
