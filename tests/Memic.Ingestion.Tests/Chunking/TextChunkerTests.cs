using Memic.Core.Documents;
using Memic.Core.Ports;
using Memic.Ingestion.Chunking;
using Memic.Ingestion.Extraction;

namespace Memic.Ingestion.Tests.Chunking;

public sealed class TextChunkerTests
{
    private static readonly ApproximateWordPieceTokenCounter Counter = ApproximateWordPieceTokenCounter.Instance;

    private static DocumentBlock H(string text, int level) => new(BlockKind.Heading, text, level);

    private static DocumentBlock P(string text) => new(BlockKind.Paragraph, text);

    private static ExtractedDocument Doc(params ExtractedPage[] pages) => new("TEST", null, pages);

    private static ExtractedPage Page(int number, params DocumentBlock[] blocks) => new(number, blocks);

    /// <summary>Distinct sentences of about 11 tokens each: "Sentence 7 of the alpha paragraph explains one careful point."</summary>
    private static string Sentences(string topic, int count, int first = 1) =>
        string.Join(' ', Enumerable.Range(first, count).Select(index => $"Sentence {index} of the {topic} paragraph explains one careful point."));

    private static IReadOnlyList<DocumentChunk> Chunk(ExtractedDocument document, int maxTokens = 200, int overlapTokens = 30, ITokenCounter? counter = null) =>
        new TextChunker(counter ?? Counter, new ChunkingOptions { MaxTokensPerChunk = maxTokens, OverlapTokens = overlapTokens })
            .Chunk(document, TestContext.Current.CancellationToken);

    /// <summary>A document mixing every hard case: long paragraphs, a sentence over the limit, a giant word, code, tables, lists.</summary>
    private static ExtractedDocument Mixed() => Doc(
        Page(1,
            H("Chapter 1", 1),
            P(Sentences("alpha", 40)),
            new DocumentBlock(BlockKind.ListItem, "A short list item", 0),
            new DocumentBlock(BlockKind.ListItem, "A nested list item", 1),
            P(string.Join(' ', Enumerable.Repeat("endless", 600)) + ".")),
        Page(2,
            H("Chapter 2", 1),
            H("Costs", 2),
            new DocumentBlock(BlockKind.Code, string.Join('\n', Enumerable.Range(1, 80).Select(line => $"    call step_{line}(value, other);"))),
            new DocumentBlock(BlockKind.TableRow, "Item | Cost | Owner"),
            new DocumentBlock(BlockKind.TableRow, "Rent | 1200 | Facilities"),
            P(new string('z', 3000))),
        Page(3, P(Sentences("omega", 25))));

    [Theory]
    [InlineData(16, 0)]
    [InlineData(40, 10)]
    [InlineData(200, 30)]
    [InlineData(510, 60)]
    public void Chunks_never_exceed_the_token_limit(int maxTokens, int overlapTokens)
    {
        var chunks = Chunk(Mixed(), maxTokens, overlapTokens);

        Assert.NotEmpty(chunks);
        Assert.All(chunks, chunk =>
        {
            Assert.InRange(chunk.TokenCount, 1, maxTokens);
            Assert.Equal(Counter.CountTokens(chunk.Text), chunk.TokenCount);
        });
    }

    [Fact]
    public void Chunks_never_exceed_the_limit_with_a_counter_that_is_not_additive()
    {
        // Counts separators too and rounds per call, so the sum over pieces underestimates the joined text.
        var counter = new CharacterQuadCounter();

        var chunks = Chunk(Mixed(), maxTokens: 60, overlapTokens: 10, counter);

        Assert.All(chunks, chunk => Assert.InRange(counter.CountTokens(chunk.Text), 1, 60));
        Assert.Contains(chunks, chunk => chunk.Text.Contains("Sentence 25 of the omega paragraph", StringComparison.Ordinal));
    }

    [Fact]
    public void Without_overlap_the_chunks_hold_exactly_the_document_text_in_order()
    {
        var document = Mixed();

        var chunks = Chunk(document, maxTokens: 40, overlapTokens: 0);

        static string NonWhitespace(IEnumerable<string> texts) => string.Concat(string.Concat(texts).Where(character => !char.IsWhiteSpace(character)));
        var blocks = document.Pages.SelectMany(page => page.Blocks).Select(block => block.Kind == BlockKind.ListItem ? "-" + block.Text : block.Text);
        Assert.Equal(NonWhitespace(blocks), NonWhitespace(chunks.Select(chunk => chunk.Text)));
    }

    [Fact]
    public void Consecutive_chunks_of_one_section_overlap_by_whole_trailing_sentences_within_the_budget()
    {
        var chunks = Chunk(Doc(Page(1, P(Sentences("alpha", 60)))), maxTokens: 100, overlapTokens: 25);

        Assert.True(chunks.Count > 3);
        for (var index = 1; index < chunks.Count; index++)
        {
            var previous = chunks[index - 1].Text;
            var firstSentence = chunks[index].Text[..(chunks[index].Text.IndexOf('.', StringComparison.Ordinal) + 1)];
            Assert.EndsWith(firstSentence, previous, StringComparison.Ordinal);
            var overlap = chunks[index].Text[..chunks[index].Text.IndexOf(previous[^firstSentence.Length..], StringComparison.Ordinal)] + firstSentence;
            Assert.InRange(Counter.CountTokens(overlap), 1, 25);
        }
    }

    [Fact]
    public void Zero_overlap_repeats_nothing()
    {
        var chunks = Chunk(Doc(Page(1, P(Sentences("alpha", 60)))), maxTokens: 100, overlapTokens: 0);

        var sentences = chunks.SelectMany(chunk => chunk.Text.Split(". ")).ToList();
        Assert.Equal(sentences.Count, sentences.Distinct().Count());
    }

    [Fact]
    public void No_overlap_is_carried_across_a_heading_or_a_page()
    {
        var document = Doc(
            Page(1, H("First", 1), P(Sentences("alpha", 30)), H("Second", 1), P(Sentences("beta", 30))),
            Page(2, P(Sentences("gamma", 30))));

        var chunks = Chunk(document, maxTokens: 150, overlapTokens: 30);

        Assert.Equal("Second", chunks.First(chunk => chunk.Text.Contains("beta", StringComparison.Ordinal)).Text.Split('\n')[0]);
        Assert.DoesNotContain(chunks, chunk => chunk.Text.Contains("alpha", StringComparison.Ordinal) && chunk.Text.Contains("beta", StringComparison.Ordinal));
        Assert.Contains(chunks, chunk => chunk.StartPage == 2);
        Assert.DoesNotContain(chunks, chunk => chunk.StartPage == 2 && chunk.Text.Contains("beta", StringComparison.Ordinal));
    }

    [Fact]
    public void A_heading_starts_a_new_chunk_and_the_heading_path_follows_the_outline()
    {
        var document = Doc(Page(1,
            H("Chapter 1", 1), P("Intro."),
            H("Chapter 2", 1), H("Costs", 2), P("Rent is due monthly."),
            H("Travel", 2), P("Trains are preferred."),
            H("Chapter 3", 1), P("Closing words.")));

        var chunks = Chunk(document);

        Assert.Equal(
            [
                ("Chapter 1\nIntro.", "Chapter 1"),
                ("Chapter 2\nCosts\nRent is due monthly.", "Chapter 2 > Costs"),
                ("Travel\nTrains are preferred.", "Chapter 2 > Travel"),
                ("Chapter 3\nClosing words.", "Chapter 3"),
            ],
            chunks.Select(chunk => (chunk.Text, string.Join(" > ", chunk.HeadingPath))));
    }

    [Fact]
    public void A_heading_with_an_empty_section_is_emitted_alone_and_does_not_pull_the_next_page_back()
    {
        var document = Doc(Page(1, H("Sheet A", 1)), Page(2, H("Sheet B", 1), P("Known value.")));

        var chunks = Chunk(document);

        Assert.Equal([("Sheet A", 1), ("Sheet B\nKnown value.", 2)], chunks.Select(chunk => (chunk.Text, chunk.PageNumber)));
    }

    [Fact]
    public void Text_before_the_first_heading_has_an_empty_heading_path()
    {
        var chunks = Chunk(Doc(Page(1, P("Preamble."), H("Body", 1), P("Text."))));

        Assert.Empty(chunks[0].HeadingPath);
        Assert.Equal(["Body"], chunks[1].HeadingPath);
    }

    [Fact]
    public void Short_pages_are_never_merged_so_each_chunk_cites_the_page_its_text_is_on()
    {
        var chunks = Chunk(Doc(Page(4, P("End of page four.")), Page(5, P("Start of page five."))));

        Assert.Equal([(4, 4, 4), (5, 5, 5)], chunks.Select(chunk => (chunk.PageNumber, chunk.StartPage, chunk.EndPage)));
        Assert.Equal(["End of page four.", "Start of page five."], chunks.Select(chunk => chunk.Text));
    }

    [Fact]
    public void A_new_page_starts_a_new_chunk()
    {
        var chunks = Chunk(Doc(Page(1, P(Sentences("alpha", 10))), Page(2, P(Sentences("beta", 3)))), maxTokens: 200);

        Assert.Equal([(1, 1, 1), (2, 2, 2)], chunks.Select(chunk => (chunk.PageNumber, chunk.StartPage, chunk.EndPage)));
        Assert.StartsWith("Sentence 1 of the beta", chunks[1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_paragraph_boundary_is_preferred_when_the_chunk_is_half_full()
    {
        var first = Sentences("alpha", 11);
        var second = Sentences("beta", 11);

        var chunks = Chunk(Doc(Page(1, P(first), P(second))), maxTokens: 200, overlapTokens: 30);

        Assert.Equal(2, chunks.Count);
        Assert.Equal(first, chunks[0].Text);
        Assert.EndsWith("\n\n" + second, chunks[1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_nearly_empty_chunk_is_filled_with_whole_sentences_of_the_next_paragraph()
    {
        var chunks = Chunk(Doc(Page(1, P("Short opening paragraph."), P(Sentences("beta", 30)))), maxTokens: 100, overlapTokens: 0);

        Assert.StartsWith("Short opening paragraph.\n\nSentence 1 of the beta", chunks[0].Text, StringComparison.Ordinal);
        Assert.InRange(chunks[0].TokenCount, 80, 100);
        Assert.EndsWith("careful point.", chunks[0].Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(12)]
    public void Sentences_within_the_limit_are_never_split(int overlapTokens)
    {
        var chunks = Chunk(Doc(Page(1, P(Sentences("alpha", 50)), P(Sentences("beta", 50)))), maxTokens: 64, overlapTokens);

        Assert.All(chunks, chunk => Assert.EndsWith("careful point.", chunk.Text, StringComparison.Ordinal));
        if (overlapTokens == 0)
        {
            Assert.All(chunks, chunk => Assert.StartsWith("Sentence ", chunk.Text, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void A_sentence_longer_than_the_limit_is_split_between_words()
    {
        var longSentence = string.Join(' ', Enumerable.Range(1, 300).Select(index => $"w{index}")) + ".";

        var chunks = Chunk(Doc(Page(1, P(longSentence))), maxTokens: 50, overlapTokens: 0);

        Assert.True(chunks.Count > 1);
        Assert.Equal(longSentence, string.Join(' ', chunks.Select(chunk => chunk.Text)));
        Assert.All(chunks, chunk => Assert.InRange(chunk.TokenCount, 1, 50));
    }

    [Fact]
    public void A_word_longer_than_the_limit_is_split_into_pieces_that_fit()
    {
        var word = string.Concat(Enumerable.Range(0, 400).Select(index => (char)('a' + (index % 26))));

        var chunks = Chunk(Doc(Page(1, P(word))), maxTokens: 20, overlapTokens: 0);

        Assert.True(chunks.Count > 1);
        Assert.Equal(word, string.Concat(chunks.Select(chunk => chunk.Text)));
        Assert.All(chunks, chunk => Assert.InRange(chunk.TokenCount, 1, 20));
    }

    [Fact]
    public void Code_that_is_too_long_is_split_between_lines()
    {
        var code = string.Join('\n', Enumerable.Range(1, 60).Select(line => $"let value{line} = compute({line});"));

        var chunks = Chunk(Doc(Page(1, new DocumentBlock(BlockKind.Code, code))), maxTokens: 60, overlapTokens: 0);

        Assert.True(chunks.Count > 1);
        Assert.Equal(code, string.Join('\n', chunks.Select(chunk => chunk.Text)));
    }

    [Fact]
    public void Chunking_the_same_document_twice_gives_identical_chunks()
    {
        static string Fingerprint(IReadOnlyList<DocumentChunk> chunks) => string.Join("\u0001", chunks.Select(chunk =>
            $"{chunk.ChunkIndex}|{chunk.PageNumber}|{chunk.StartPage}|{chunk.EndPage}|{chunk.TokenCount}|{string.Join('/', chunk.HeadingPath)}|{chunk.Text}"));

        var first = Fingerprint(Chunk(Mixed(), 80, 20));
        var second = Fingerprint(new TextChunker(new ApproximateWordPieceTokenCounter(), new ChunkingOptions { MaxTokensPerChunk = 80, OverlapTokens = 20 })
            .Chunk(Mixed(), TestContext.Current.CancellationToken));

        Assert.Equal(first, second);
    }

    [Fact]
    public void Chunk_indexes_count_from_zero_in_document_order()
    {
        var chunks = Chunk(Mixed(), 50, 10);

        Assert.Equal(Enumerable.Range(0, chunks.Count), chunks.Select(chunk => chunk.ChunkIndex));
        Assert.Equal(chunks.Select(chunk => chunk.StartPage).Order(), chunks.Select(chunk => chunk.StartPage));
    }

    [Fact]
    public void A_document_without_blocks_gives_no_chunks()
    {
        Assert.Empty(Chunk(Doc(Page(1), Page(2))));
    }

    [Theory]
    [InlineData(15, 0)]
    [InlineData(100, 51)]
    [InlineData(100, -1)]
    public void Options_out_of_range_are_rejected(int maxTokens, int overlapTokens)
    {
        var options = new ChunkingOptions { MaxTokensPerChunk = maxTokens, OverlapTokens = overlapTokens };

        Assert.Throws<ArgumentOutOfRangeException>(() => new TextChunker(Counter, options));
    }

    [Fact]
    public void Options_for_a_model_window_leave_room_for_special_tokens()
    {
        var options = ChunkingOptions.ForModelWindow(256);

        Assert.Equal((254, 38), (options.MaxTokensPerChunk, options.OverlapTokens));
        Assert.Equal((200, 30), (ChunkingOptions.Default.MaxTokensPerChunk, ChunkingOptions.Default.OverlapTokens));
    }

    /// <summary>One token per started group of four characters, separators included.</summary>
    private sealed class CharacterQuadCounter : ITokenCounter
    {
        public int CountTokens(string text) => (text.Length + 3) / 4;
    }
}
