namespace Memic.Ingestion.Extraction;

/// <summary>The kind of a structural block, so the chunker knows where it may break and how to join.</summary>
public enum BlockKind
{
    /// <summary>A heading; <see cref="DocumentBlock.Level"/> is 1 for the top level.</summary>
    Heading,

    /// <summary>A paragraph of running text.</summary>
    Paragraph,

    /// <summary>One row of a table (cells joined with " | ") or one "key: value" line of structured data.</summary>
    TableRow,

    /// <summary>A list item; <see cref="DocumentBlock.Level"/> is its nesting depth, 0 for the outermost.</summary>
    ListItem,

    /// <summary>Preformatted text (code) whose line breaks matter.</summary>
    Code,
}

/// <summary>One structural unit of text on a page.</summary>
/// <param name="Kind">What the block is.</param>
/// <param name="Text">The text, trimmed, never empty.</param>
/// <param name="Level">Heading level (1 = top) for headings, nesting depth for list items, otherwise 0.</param>
public sealed record DocumentBlock(BlockKind Kind, string Text, int Level = 0);

/// <summary>The text of one page (PDF page, slide, sheet, or the single page of a flat format).</summary>
/// <param name="PageNumber">1-based page number as a reader of the original would count it.</param>
/// <param name="Blocks">Blocks in reading order; empty for a page without text.</param>
public sealed record ExtractedPage(int PageNumber, IReadOnlyList<DocumentBlock> Blocks)
{
    /// <summary>The page's text, blocks separated by blank lines.</summary>
    public string Text => string.Join("\n\n", Blocks.Select(block => block.Text));
}

/// <summary>The text and structure extracted from one file.</summary>
/// <param name="Format">Short name of the format it was read as, e.g. "PDF", "DOCX".</param>
/// <param name="Title">The document's own title where the format has one (HTML title, PDF metadata), else null.</param>
/// <param name="Pages">Pages in order, including pages without text, so <see cref="PageCount"/> is the real count.</param>
public sealed record ExtractedDocument(string Format, string? Title, IReadOnlyList<ExtractedPage> Pages)
{
    /// <summary>Number of pages, slides or sheets.</summary>
    public int PageCount => Pages.Count;

    /// <summary>Total characters of extracted block text.</summary>
    public long CharacterCount => Pages.Sum(page => page.Blocks.Sum(block => (long)block.Text.Length));
}
