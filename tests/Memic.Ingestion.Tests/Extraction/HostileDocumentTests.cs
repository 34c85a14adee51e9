using Memic.Ingestion.Chunking;
using Memic.Ingestion.Extraction;
using Memic.TestDocuments;

namespace Memic.Ingestion.Tests.Extraction;

/// <summary>Runs alone, so the allocation measured for a hostile file is that file's own.</summary>
[CollectionDefinition(DisableParallelization = true)]
public sealed class HostileDocumentCollection;

/// <summary>
/// Each generated hostile file through the in-process registry with the production default limits: it must
/// fail with a clear reason or parse, promptly and without allocating anywhere near its expansion.
/// </summary>
[Collection(typeof(HostileDocumentCollection))]
public sealed class HostileDocumentTests
{
    // Far beyond what any case needs when its limit works; a broken limit hangs or allocates gigabytes instead.
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(60);
    private const long AllocationBudgetBytes = 1536L * 1024 * 1024;

    // The expected failure and a fragment of its message; no failure means the file must parse and chunk.
    public static TheoryData<string, ExtractionFailureKind?, string?> Cases => new()
    {
        { "xlsx-shared-string-bomb", ExtractionFailureKind.LimitExceeded, "characters of text, the extraction limit" },
        { "pdf-nested-deflate", ExtractionFailureKind.LimitExceeded, "A stream in the PDF decodes to more than 256 MB" },
        { "html-deep-nesting", ExtractionFailureKind.LimitExceeded, "nests elements more than 256 levels deep" },
        { "docx-deep-xml", ExtractionFailureKind.UnsafePackage, "nested more than 256 levels deep" },
        { "json-deep-nesting", ExtractionFailureKind.LimitExceeded, "nests values more than 256 levels deep" },
        { "markdown-unclosed-emphasis", null, null },
        { "markdown-space-padded-heading", null, null },
        { "markdown-unclosed-links", null, null },
        { "text-one-word", ExtractionFailureKind.LimitExceeded, "characters of text, the extraction limit" },
        { "csv-header-amplification", ExtractionFailureKind.LimitExceeded, "characters of text, the extraction limit" },
        { "csv-long-field", ExtractionFailureKind.LimitExceeded, "longer than 1,000,000 characters" },
        { "docx-many-entries", ExtractionFailureKind.UnsafePackage, "100,003 entries (limit 10,000)" },
        { "xlsx-many-entries", ExtractionFailureKind.UnsafePackage, "100,000 entries (limit 10,000)" },
        { "png-huge-dimensions", ExtractionFailureKind.LimitExceeded, "100,000 × 100,000 pixels" },
        { "jpeg-huge-dimensions", ExtractionFailureKind.LimitExceeded, "65,535 × 65,535 pixels" },
    };

    [Fact]
    public void Every_hostile_document_has_an_expected_outcome_here()
    {
        var covered = Cases.Select(row => (string)row.Data.Item1!);

        Assert.Equal(HostileDocuments.Names.Order(), covered.Order());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Hostile_document_fails_with_a_clear_reason_or_parses_within_the_budgets(string name, ExtractionFailureKind? expectedFailure, string? expectedReason)
    {
        var hostile = HostileDocuments.Create(name);
        Assert.Equal(name, hostile.Name);
        var ocr = new FakeOcrEngine("text the OCR engine would have read");
        var registry = DocumentExtractorRegistry.CreateDefault(ExtractionOptions.Default, ocr);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);

        var outcome = await Task.Run(() => ExtractAndChunkAsync(registry, hostile), TestContext.Current.CancellationToken)
            .WaitAsync(Budget, TestContext.Current.CancellationToken);

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        Assert.True(allocated < AllocationBudgetBytes, $"{name} allocated {allocated / (1024 * 1024):N0} MB.");
        Assert.Empty(ocr.Calls);
        if (expectedFailure is { } kind)
        {
            var failure = Assert.IsType<DocumentExtractionException>(outcome.Failure);
            Assert.Equal(kind, failure.Kind);
            Assert.Contains(expectedReason!, failure.Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.Null(outcome.Failure);
            Assert.NotEmpty(outcome.Chunks);
        }
    }

    [Fact]
    public async Task Space_padded_markdown_heading_reads_as_its_two_words()
    {
        var hostile = HostileDocuments.SpacePaddedHeadingMarkdown();

        var document = await IngestionHarness.ExtractAsync(hostile.Content, hostile.FileName, hostile.MimeType);

        Assert.Equal(new DocumentBlock(BlockKind.Heading, "a b", 1), Assert.Single(document.Pages[0].Blocks));
    }

    [Fact]
    public async Task One_word_just_under_the_character_limit_is_chunked_into_parts_that_fit()
    {
        var hostile = HostileDocuments.OneWordText(19_000_000);
        var registry = DocumentExtractorRegistry.CreateDefault(ExtractionOptions.Default, new FakeOcrEngine(string.Empty));

        var outcome = await Task.Run(() => ExtractAndChunkAsync(registry, hostile), TestContext.Current.CancellationToken)
            .WaitAsync(Budget, TestContext.Current.CancellationToken);

        Assert.Null(outcome.Failure);
        Assert.True(outcome.Chunks.Sum(chunk => (long)chunk.Text.Length) >= 19_000_000, "Every letter is in some chunk.");
        Assert.All(outcome.Chunks, chunk => Assert.True(chunk.TokenCount <= new ChunkingOptions().MaxTokensPerChunk));
    }

    private static async Task<(DocumentExtractionException? Failure, IReadOnlyList<Memic.Core.Documents.DocumentChunk> Chunks)> ExtractAndChunkAsync(
        DocumentExtractorRegistry registry, HostileDocument hostile)
    {
        try
        {
            using var stream = new MemoryStream(hostile.Content, writable: false);
            var document = await registry.ExtractAsync(stream, hostile.MimeType, hostile.FileName, TestContext.Current.CancellationToken);
            return (null, new TextChunker(ApproximateWordPieceTokenCounter.Instance).Chunk(document, TestContext.Current.CancellationToken));
        }
        catch (DocumentExtractionException exception)
        {
            return (exception, []);
        }
    }
}
