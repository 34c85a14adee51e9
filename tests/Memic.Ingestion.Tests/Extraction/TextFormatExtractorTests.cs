using System.Text;
using Memic.Ingestion.Extraction;
using static Memic.Ingestion.Tests.IngestionHarness;

namespace Memic.Ingestion.Tests.Extraction;

public sealed class HtmlTextExtractorTests
{
    [Fact]
    public async Task Html_sentence_under_h2_is_chunked_with_its_heading_path()
    {
        const string html = """
            <html><head><title>Product guide</title></head><body>
            <h1>Guide</h1><p>Welcome to the guide.</p>
            <h2>Installation</h2><p>Run the installer as an administrator before the first start.</p>
            <h2>Usage</h2><p>Open the dashboard.</p>
            </body></html>
            """;

        var (document, chunks) = await ExtractAndChunkAsync(Encoding.UTF8.GetBytes(html), "guide.html", "text/html");

        Assert.Equal("Product guide", document.Title);
        var chunk = ChunkContaining(chunks, "Run the installer as an administrator before the first start.");
        Assert.Equal(1, chunk.PageNumber);
        Assert.Equal(["Guide", "Installation"], chunk.HeadingPath);
        Assert.DoesNotContain("Open the dashboard", chunk.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Html_script_style_noscript_template_and_hidden_content_is_left_out()
    {
        const string html = """
            <html><head><style>.secret { color: red }</style><script>var secretScript = 1;</script></head><body>
            <p>Visible text.</p>
            <script>document.write('secretInline')</script>
            <noscript>secretNoscript</noscript>
            <template><p>secretTemplate</p></template>
            <p hidden>secretHidden</p>
            <div style="display: none">secretStyle</div>
            </body></html>
            """;

        var document = await ExtractAsync(Encoding.UTF8.GetBytes(html), "page.htm");

        Assert.Equal("Visible text.", document.Pages[0].Text);
    }

    [Fact]
    public async Task Html_lists_tables_line_breaks_and_preformatted_text_keep_their_structure()
    {
        const string html = """
            <body><ul><li>One</li><li>Two<ul><li>Nested</li></ul></li></ul>
            <table><tr><th>Region</th><th>Sales</th></tr><tr><td>North</td><td><b>12</b></td></tr></table>
            <p>Line one<br>Line two</p><pre>code  line
              indented</pre></body>
            """;

        var document = await ExtractAsync(Encoding.UTF8.GetBytes(html), "page.html");

        Assert.Equal(
            [
                new DocumentBlock(BlockKind.ListItem, "One", 0),
                new DocumentBlock(BlockKind.ListItem, "Two", 0),
                new DocumentBlock(BlockKind.ListItem, "Nested", 1),
                new DocumentBlock(BlockKind.TableRow, "Region | Sales"),
                new DocumentBlock(BlockKind.TableRow, "North | 12"),
                new DocumentBlock(BlockKind.Paragraph, "Line one\nLine two"),
                new DocumentBlock(BlockKind.Code, "code  line\n  indented"),
            ],
            document.Pages[0].Blocks);
    }

    [Fact]
    public async Task Html_nested_within_the_limit_reads_and_unclosed_paragraphs_do_not_count_as_nesting()
    {
        var html = "<body>" + string.Concat(Enumerable.Repeat("<div>", 200)) + "Deep text." + string.Concat(Enumerable.Repeat("</div>", 200))
            + string.Concat(Enumerable.Range(1, 1000).Select(index => $"<p>Paragraph {index}<li>item {index}<br>"));

        var document = await ExtractAsync(Encoding.UTF8.GetBytes(html), "page.html");

        Assert.Equal("Deep text.", document.Pages[0].Blocks[0].Text);
        Assert.Contains(document.Pages[0].Blocks, block => block.Text == "Paragraph 1000");
    }

    [Theory]
    [InlineData("<div>")]
    [InlineData("<div \"><span a='1'>")]
    [InlineData("<b><!-- --><i>")]
    public async Task Html_nested_past_the_limit_fails_fast_as_limit_exceeded(string opening)
    {
        var html = "<body>" + string.Concat(Enumerable.Repeat(opening, 20_000)) + "deep";

        var failure = await ExtractionFailureAsync(Encoding.UTF8.GetBytes(html), "deep.html");

        Assert.Equal(ExtractionFailureKind.LimitExceeded, failure.Kind);
        Assert.Equal("The HTML nests elements more than 256 levels deep, the extraction limit.", failure.Message);
    }
}

public sealed class MarkdownTextExtractorTests
{
    [Fact]
    public async Task Markdown_sentence_under_nested_heading_is_chunked_with_its_heading_path()
    {
        const string markdown = """
            # Handbook

            Intro text.

            ## Travel

            ### Expenses

            Meals abroad are reimbursed up to forty euros per day.

            ## Security

            Lock your screen.
            """;

        var (_, chunks) = await ExtractAndChunkAsync(Encoding.UTF8.GetBytes(markdown), "handbook.md", "text/markdown");

        var chunk = ChunkContaining(chunks, "Meals abroad are reimbursed up to forty euros per day.");
        Assert.Equal(1, chunk.PageNumber);
        Assert.Equal(["Handbook", "Travel", "Expenses"], chunk.HeadingPath);
        Assert.StartsWith("Travel\nExpenses\n", chunk.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Markdown_code_blocks_tables_lists_and_setext_headings_keep_their_structure()
    {
        const string markdown = """
            ---
            title: front matter is metadata
            ---
            Setext title
            ============

            - item a
              continued
            - item b
              - nested

            ```bash
            # not a heading inside code
            echo hi
            ```

            | Name | Role |
            |------|:----:|
            | Ann  | Lead |
            """;

        var document = await ExtractAsync(Encoding.UTF8.GetBytes(markdown), "notes.md");

        Assert.Equal(
            [
                new DocumentBlock(BlockKind.Heading, "Setext title", 1),
                new DocumentBlock(BlockKind.ListItem, "item a continued", 0),
                new DocumentBlock(BlockKind.ListItem, "item b", 0),
                new DocumentBlock(BlockKind.ListItem, "nested", 1),
                new DocumentBlock(BlockKind.Code, "# not a heading inside code\necho hi"),
                new DocumentBlock(BlockKind.TableRow, "Name | Role"),
                new DocumentBlock(BlockKind.TableRow, "Ann | Lead"),
            ],
            document.Pages[0].Blocks);
    }

    [Fact]
    public async Task Markdown_inline_markup_is_reduced_to_visible_text()
    {
        const string markdown = "Some **bold**, _italic_, `code`, [a link](https://example.com) and ![an image](x.png) here.";

        var document = await ExtractAsync(Encoding.UTF8.GetBytes(markdown), "inline.md");

        Assert.Equal("Some bold, italic, code, a link and an image here.", document.Pages[0].Text);
    }

    [Fact]
    public async Task Markdown_quotes_html_blocks_and_entities_read_as_text()
    {
        const string markdown = "> Quoted *advice*\n\n<div class=\"note\">Boxed <b>note</b></div>\n\n<!-- hidden\ncomment -->\n\n<script>var hidden = 1;</script>\n\nFish &amp; chips ~~cheap~~";

        var document = await ExtractAsync(Encoding.UTF8.GetBytes(markdown), "quote.md");

        Assert.Equal(["Quoted advice", "Boxed note", "Fish & chips cheap"], document.Pages[0].Blocks.Select(block => block.Text));
    }

    [Fact]
    public async Task Markdown_table_too_long_for_inline_parsing_still_reads_as_rows()
    {
        var rows = Enumerable.Range(1, 600).Select(index => $"| Item {index} | Price {index} \\| net |");
        var markdown = "| Item | Price |\n|---|---|\n" + string.Join('\n', rows);

        var document = await ExtractAsync(Encoding.UTF8.GetBytes(markdown), "prices.md");

        var blocks = document.Pages[0].Blocks;
        Assert.True(markdown.Length > 16 * 1024);
        Assert.All(blocks, block => Assert.Equal(BlockKind.TableRow, block.Kind));
        Assert.Equal("Item | Price", blocks[0].Text);
        Assert.Equal("Item 600 | Price 600 | net", blocks[^1].Text);
    }

    [Fact]
    public async Task Markdown_nested_past_the_depth_limit_fails_as_limit_exceeded()
    {
        var markdown = new string('>', 10_000) + " deep";

        var failure = await ExtractionFailureAsync(Encoding.UTF8.GetBytes(markdown), "deep.md");

        Assert.Equal(ExtractionFailureKind.LimitExceeded, failure.Kind);
        Assert.Contains("256 levels deep", failure.Message, StringComparison.Ordinal);
    }
}

public sealed class PlainTextExtractorTests
{
    [Fact]
    public async Task Txt_sentence_after_the_second_form_feed_is_chunked_with_page_three()
    {
        const string knownSentence = "The generator is tested every first Monday.";
        var text = string.Join(' ', Filler("page one", 12)) + "\f"
            + string.Join(' ', Filler("page two", 12)) + "\f"
            + knownSentence + "\n\n" + string.Join(' ', Filler("page three", 3));

        var (document, chunks) = await ExtractAndChunkAsync(Encoding.UTF8.GetBytes(text), "log.txt", "text/plain");

        Assert.Equal(3, document.PageCount);
        Assert.Equal(3, ChunkContaining(chunks, knownSentence).PageNumber);
    }

    [Fact]
    public async Task Txt_blank_lines_separate_paragraphs_and_a_trailing_form_feed_adds_no_page()
    {
        var document = await ExtractAsync(Encoding.UTF8.GetBytes("First line\nsecond line\n\n  \nNext paragraph\fPage two\f"), "a.txt");

        Assert.Equal(2, document.PageCount);
        Assert.Equal(["First line\nsecond line", "Next paragraph"], document.Pages[0].Blocks.Select(block => block.Text));
        Assert.Equal("Page two", document.Pages[1].Text);
    }

    [Fact]
    public async Task Txt_that_is_not_utf8_is_read_as_latin1()
    {
        var document = await ExtractAsync([(byte)'C', (byte)'a', (byte)'f', 0xE9], "legacy.txt");

        Assert.Equal("Café", document.Pages[0].Text);
    }
}

public sealed class CsvTextExtractorTests
{
    [Fact]
    public async Task Csv_row_becomes_a_header_value_line_on_page_one()
    {
        const string csv = "name,city,role\nAnn,Oslo,Lead\nBob,Rome,Clerk\n";

        var (_, chunks) = await ExtractAndChunkAsync(Encoding.UTF8.GetBytes(csv), "staff.csv", "text/csv");

        var chunk = ChunkContaining(chunks, "name: Bob | city: Rome | role: Clerk");
        Assert.Equal(1, chunk.PageNumber);
        Assert.Equal("name: Ann | city: Oslo | role: Lead\nname: Bob | city: Rome | role: Clerk", chunk.Text);
    }

    [Fact]
    public async Task Csv_quoted_fields_keep_commas_quotes_and_line_breaks()
    {
        const string csv = "id,note\r\n1,\"Paid, in full\"\r\n2,\"She said \"\"yes\"\"\"\r\n3,\"two\r\nlines\"\r\n";

        var document = await ExtractAsync(Encoding.UTF8.GetBytes(csv), "notes.csv");

        Assert.Equal(
            ["id: 1 | note: Paid, in full", "id: 2 | note: She said \"yes\"", "id: 3 | note: two lines"],
            document.Pages[0].Blocks.Select(block => block.Text));
    }

    [Fact]
    public async Task Csv_with_semicolons_is_split_on_semicolons()
    {
        var document = await ExtractAsync(Encoding.UTF8.GetBytes("name;amount\nRent;1,5\n"), "eu.csv");

        Assert.Equal("name: Rent | amount: 1,5", document.Pages[0].Text);
    }

    [Theory]
    [InlineData("a,b\n\"0123456789", "A field on line 2 of the CSV is longer than 8 characters, the extraction limit.")]
    [InlineData("a,b\n1,0123456789\n", "A field on line 2 of the CSV is longer than 8 characters, the extraction limit.")]
    [InlineData("a,b\n1,2,3,4,5\n", "Line 2 of the CSV has more than 4 columns, the extraction limit.")]
    public async Task Csv_field_or_record_past_its_limit_fails_as_limit_exceeded(string csv, string message)
    {
        var options = new ExtractionOptions { MaxCsvFieldCharacters = 8, MaxCsvColumns = 4 };

        var failure = await ExtractionFailureAsync(Encoding.UTF8.GetBytes(csv), "limits.csv", options: options);

        Assert.Equal(ExtractionFailureKind.LimitExceeded, failure.Kind);
        Assert.Equal(message, failure.Message);
    }

    [Fact]
    public async Task Csv_rows_that_repeat_a_long_header_fail_before_their_lines_are_built()
    {
        var header = string.Join(',', Enumerable.Range(1, 10).Select(index => new string((char)('a' + index), 100)));
        var row = string.Join(',', Enumerable.Repeat("x", 10));
        var csv = header + "\n" + string.Join('\n', Enumerable.Repeat(row, 50));
        var options = new ExtractionOptions { MaxExtractedCharacters = 5_000 };

        var failure = await ExtractionFailureAsync(Encoding.UTF8.GetBytes(csv), "wide.csv", options: options);

        Assert.Equal(ExtractionFailureKind.LimitExceeded, failure.Kind);
        Assert.True(csv.Length < options.MaxExtractedCharacters, "The input itself is within the limit; only its expansion is not.");
    }
}

public sealed class JsonTextExtractorTests
{
    [Fact]
    public async Task Json_nested_value_is_flattened_to_its_path()
    {
        const string json = """
            { "orders": [ { "id": 1, "customer": { "name": "Ann" } },
                          { "id": 2, "customer": { "name": "Known Customer" }, "tags": [], "gift wrap": true } ],
              // comments and trailing commas are tolerated
              "count": 2, }
            """;

        var (_, chunks) = await ExtractAndChunkAsync(Encoding.UTF8.GetBytes(json), "orders.json", "application/json");

        var chunk = ChunkContaining(chunks, "orders[1].customer.name: Known Customer");
        Assert.Equal(1, chunk.PageNumber);
        Assert.Contains("orders[1][\"gift wrap\"]: true", chunk.Text, StringComparison.Ordinal);
        Assert.Contains("orders[1].tags: []", chunk.Text, StringComparison.Ordinal);
        Assert.Contains("count: 2", chunk.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_that_is_invalid_fails_with_the_line_and_position_of_the_error()
    {
        var failure = await ExtractionFailureAsync(Encoding.UTF8.GetBytes("{\n  \"a\": [1, 2,, 3]\n}"), "broken.json");

        Assert.Equal(ExtractionFailureKind.Corrupt, failure.Kind);
        Assert.Equal("The file is not valid JSON (line 2, position 14).", failure.Message);
    }

    [Fact]
    public async Task Json_at_the_nesting_limit_reads_and_one_level_deeper_fails_as_limit_exceeded()
    {
        static byte[] Nested(int depth) => Encoding.UTF8.GetBytes(new string('[', depth) + "\"core\"" + new string(']', depth));

        var document = await ExtractAsync(Nested(ExtractionOptions.Default.MaxNestingDepth), "ok.json");
        var failure = await ExtractionFailureAsync(Nested(ExtractionOptions.Default.MaxNestingDepth + 1), "deep.json");

        Assert.EndsWith(": core", document.Pages[0].Text, StringComparison.Ordinal);
        Assert.Equal(ExtractionFailureKind.LimitExceeded, failure.Kind);
        Assert.Equal("The JSON nests values more than 256 levels deep, the extraction limit.", failure.Message);
    }
}
