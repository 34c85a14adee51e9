namespace Memic.Ingestion.Extraction.Internals;

/// <summary>
/// Collects pages and blocks while enforcing the page and character limits as text arrives, so a huge
/// document fails early instead of after it has filled memory.
/// </summary>
internal sealed class ExtractedDocumentBuilder(ExtractionOptions options, string formatName)
{
    private readonly List<ExtractedPage> _pages = [];
    private List<DocumentBlock>? _blocks;
    private int _pageNumber;
    private long _characters;

    public string FormatName => formatName;

    public int CurrentPageNumber => _pageNumber;

    public long CharacterCount => _characters;

    /// <summary>Finishes the current page and starts the next one.</summary>
    public void StartPage() => StartPage(_pageNumber + 1);

    /// <summary>Finishes the current page and starts page <paramref name="pageNumber"/>, adding empty pages in between.</summary>
    public void StartPage(int pageNumber)
    {
        if (pageNumber <= _pageNumber)
        {
            throw new InvalidOperationException($"Page {pageNumber} cannot follow page {_pageNumber}.");
        }

        FinishPage();
        if (pageNumber > options.MaxPages)
        {
            throw new DocumentExtractionException(ExtractionFailureKind.LimitExceeded,
                $"The {formatName} has more than {options.MaxPages:N0} pages, the extraction limit.");
        }

        while (_pages.Count < pageNumber - 1)
        {
            _pages.Add(new ExtractedPage(_pages.Count + 1, []));
        }

        _pageNumber = pageNumber;
        _blocks = [];
    }

    public void AddHeading(string text, int level) => Add(BlockKind.Heading, TextCleanup.SingleLine(text), Math.Clamp(level, 1, 9));

    public void AddParagraph(string text) => Add(BlockKind.Paragraph, TextCleanup.NormalizeProse(text), 0);

    public void AddListItem(string text, int depth) => Add(BlockKind.ListItem, TextCleanup.NormalizeProse(text), Math.Max(0, depth));

    /// <summary>
    /// Adds one row, counting each cell against the character limit as it is read: cells may all repeat one
    /// huge string (an XLSX shared string), so the row's text must never be built before it is counted.
    /// </summary>
    public void AddTableRow(IEnumerable<string> cells)
    {
        var cleaned = new List<string>();
        var rowCharacters = 0L;
        foreach (var cell in cells)
        {
            rowCharacters += cell.Length;
            EnsureWithinCharacterLimit(_characters + rowCharacters);
            cleaned.Add(TextCleanup.SingleLine(cell));
        }

        while (cleaned.Count > 0 && cleaned[^1].Length == 0)
        {
            cleaned.RemoveAt(cleaned.Count - 1);
        }

        if (cleaned.Any(cell => cell.Length > 0))
        {
            Add(BlockKind.TableRow, string.Join(" | ", cleaned), 0);
        }
    }

    public void AddLine(string text) => Add(BlockKind.TableRow, TextCleanup.SingleLine(text), 0);

    public void AddCode(string text) => Add(BlockKind.Code, TextCleanup.NormalizeCode(text), 0);

    public bool HasText => _characters > 0;

    /// <summary>Completes the document; a document without any text fails, because there is nothing to index.</summary>
    public ExtractedDocument Build(string? title)
    {
        FinishPage();
        if (!HasText)
        {
            throw new DocumentExtractionException(ExtractionFailureKind.NoText, $"The {formatName} contains no extractable text.");
        }

        var cleanTitle = title is null ? null : TextCleanup.SingleLine(title);
        return new ExtractedDocument(formatName, string.IsNullOrEmpty(cleanTitle) ? null : cleanTitle, _pages.ToArray());
    }

    private void Add(BlockKind kind, string text, int level)
    {
        if (text.Length == 0)
        {
            return;
        }

        if (_blocks is null)
        {
            StartPage(1);
        }

        _characters += text.Length;
        EnsureWithinCharacterLimit(_characters);
        _blocks!.Add(new DocumentBlock(kind, text, level));
    }

    /// <summary>Fails now if <paramref name="characters"/> more would pass the character limit, before they are built.</summary>
    public void EnsureRoomFor(long characters) => EnsureWithinCharacterLimit(_characters + characters);

    private void EnsureWithinCharacterLimit(long characters)
    {
        if (characters > options.MaxExtractedCharacters)
        {
            throw new DocumentExtractionException(ExtractionFailureKind.LimitExceeded,
                $"The {formatName} has more than {options.MaxExtractedCharacters:N0} characters of text, the extraction limit.");
        }
    }

    private void FinishPage()
    {
        if (_blocks is not null)
        {
            _pages.Add(new ExtractedPage(_pageNumber, _blocks.ToArray()));
            _blocks = null;
        }
    }
}
