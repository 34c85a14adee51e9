using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using Memic.Ingestion.Extraction.Internals;

namespace Memic.Ingestion.Extraction.Office;

/// <summary>
/// Reads Word documents: headings (Title, Heading 1–9 and outline levels), paragraphs, list items and
/// table rows, in body order.
/// </summary>
/// <remarks>
/// A .docx holds no pages; pages exist only when Word lays the document out. Page numbers here are an
/// approximation from the markers Word leaves in the file: explicit page breaks (<c>w:br w:type="page"</c>,
/// "page break before"), section breaks other than continuous, and <c>w:lastRenderedPageBreak</c>, which
/// Word writes where a page ended the last time it rendered the document. A rendered break that directly
/// follows an explicit one is the same break and is counted once. Documents written by tools that never
/// render (generators, converters) often carry none of these, and then everything is on page 1.
/// Headers, footers, footnotes and comments are left out as repetitive or secondary.
/// </remarks>
public sealed partial class DocxTextExtractor(ExtractionOptions? options = null) : OpenXmlTextExtractor<WordprocessingDocument>(options)
{
    public override string FormatName => "DOCX";

    public override IReadOnlyList<string> MimeTypes { get; } = ["application/vnd.openxmlformats-officedocument.wordprocessingml.document"];

    public override IReadOnlyList<string> FileExtensions { get; } = [".docx"];

    protected override WordprocessingDocument Open(Stream stream, OpenSettings settings) => WordprocessingDocument.Open(stream, isEditable: false, settings);

    protected override ExtractedDocument Read(WordprocessingDocument document, CancellationToken cancellationToken) =>
        new BodyReader(document, Options, FormatName, cancellationToken).Read();

    [GeneratedRegex(@"^\s*heading\s*(\d)\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex HeadingStyleName();

    private sealed record StyleInfo(string? Name, string? BasedOn, int? OutlineLevel, bool HasNumbering);

    /// <summary>Walks the body once, keeping the page counter and the current paragraph's text.</summary>
    private sealed class BodyReader
    {
        private readonly WordprocessingDocument _document;
        private readonly ExtractedDocumentBuilder _builder;
        private readonly CancellationToken _cancellationToken;
        private readonly Dictionary<string, StyleInfo> _styles;
        private readonly StringBuilder _text = new();
        private bool _textSincePageBreak;

        public BodyReader(WordprocessingDocument document, ExtractionOptions options, string formatName, CancellationToken cancellationToken)
        {
            _document = document;
            _builder = new ExtractedDocumentBuilder(options, formatName);
            _cancellationToken = cancellationToken;
            _styles = ReadStyles(document);
        }

        public ExtractedDocument Read()
        {
            var body = _document.MainDocumentPart?.Document?.Body
                ?? throw new DocumentExtractionException(ExtractionFailureKind.Corrupt, "The file is not a valid DOCX document: it has no document body.");

            _builder.StartPage(1);
            ReadBlockContainer(body);
            return _builder.Build(_document.PackageProperties.Title);
        }

        private void ReadBlockContainer(OpenXmlElement container)
        {
            foreach (var element in container.ChildElements)
            {
                _cancellationToken.ThrowIfCancellationRequested();
                switch (element)
                {
                    case Paragraph paragraph:
                        ReadParagraph(paragraph);
                        break;
                    case Table table:
                        ReadTable(table);
                        break;
                    case AlternateContent alternate:
                        // Choice and Fallback hold the same content twice; read the first alternative only.
                        if (alternate.FirstChild is { } choice)
                        {
                            ReadBlockContainer(choice);
                        }

                        break;
                    case SdtBlock or SdtContentBlock or CustomXmlBlock:
                        ReadBlockContainer(element);
                        break;
                    default:
                        break;
                }
            }
        }

        private void ReadParagraph(Paragraph paragraph)
        {
            var properties = paragraph.ParagraphProperties;
            if (properties?.PageBreakBefore is { } pageBreakBefore && (pageBreakBefore.Val is null || pageBreakBefore.Val.Value))
            {
                ExplicitPageBreak();
            }

            var (kind, level) = Classify(properties);
            AppendRunContent(paragraph, kind, level, allowPageBreaks: true);
            Flush(kind, level);

            // A section break inside a paragraph ends its section; the next one starts on a new page unless continuous.
            if (properties?.SectionProperties is { } section
                && section.GetFirstChild<SectionType>()?.Val?.Value != SectionMarkValues.Continuous)
            {
                ExplicitPageBreak();
            }
        }

        private void ReadTable(Table table)
        {
            foreach (var row in table.Descendants<TableRow>().Where(row => row.Ancestors<Table>().First() == table))
            {
                _cancellationToken.ThrowIfCancellationRequested();
                if (row.Descendants<Break>().Any(IsPageBreak))
                {
                    ExplicitPageBreak();
                }
                else if (row.Descendants<LastRenderedPageBreak>().Any())
                {
                    RenderedPageBreak();
                }

                var cells = row.Descendants<TableCell>()
                    .Where(cell => cell.Ancestors<TableRow>().First() == row)
                    .Select(CellText)
                    .ToList();
                _builder.AddTableRow(cells);
                if (cells.Any(cell => cell.Length > 0))
                {
                    _textSincePageBreak = true;
                }
            }
        }

        private string CellText(TableCell cell)
        {
            var saved = _text.ToString();
            _text.Clear();
            foreach (var paragraph in cell.Descendants<Paragraph>().Where(paragraph => !paragraph.Ancestors<Paragraph>().Any()))
            {
                AppendRunContent(paragraph, BlockKind.Paragraph, 0, allowPageBreaks: false);
                _text.Append(' ');
            }

            var text = _text.ToString();
            _text.Clear().Append(saved);
            return text;
        }

        private void AppendRunContent(OpenXmlElement element, BlockKind kind, int level, bool allowPageBreaks)
        {
            foreach (var child in element.ChildElements)
            {
                switch (child)
                {
                    case Text text:
                        _text.Append(text.Text);
                        break;
                    case TabChar or PositionalTab:
                        _text.Append(' ');
                        break;
                    case CarriageReturn:
                        _text.Append('\n');
                        break;
                    case NoBreakHyphen:
                        _text.Append('-');
                        break;
                    case Break pageBreak when IsPageBreak(pageBreak):
                        if (allowPageBreaks)
                        {
                            Flush(kind, level);
                            ExplicitPageBreak();
                        }

                        break;
                    case Break:
                        _text.Append('\n');
                        break;
                    case LastRenderedPageBreak:
                        if (allowPageBreaks)
                        {
                            Flush(kind, level);
                            RenderedPageBreak();
                        }

                        break;
                    case AlternateContent alternate:
                        if (alternate.FirstChild is { } choice)
                        {
                            AppendRunContent(choice, kind, level, allowPageBreaks);
                        }

                        break;
                    case ParagraphProperties or RunProperties or FieldCode or DeletedText or DeletedRun or MoveFromRun:
                        break;
                    case Paragraph nested:
                        // A text box paragraph inside a run: keep its words apart from the host paragraph's.
                        _text.Append(' ');
                        AppendRunContent(nested, kind, level, allowPageBreaks: false);
                        _text.Append(' ');
                        break;
                    default:
                        AppendRunContent(child, kind, level, allowPageBreaks);
                        break;
                }
            }
        }

        private void Flush(BlockKind kind, int level)
        {
            if (_text.Length == 0)
            {
                return;
            }

            var text = _text.ToString();
            _text.Clear();
            if (string.IsNullOrWhiteSpace(text))
            {
                return;
            }

            _textSincePageBreak = true;
            switch (kind)
            {
                case BlockKind.Heading:
                    _builder.AddHeading(text, level);
                    break;
                case BlockKind.ListItem:
                    _builder.AddListItem(text, level);
                    break;
                default:
                    _builder.AddParagraph(text);
                    break;
            }
        }

        private void ExplicitPageBreak()
        {
            _builder.StartPage();
            _textSincePageBreak = false;
        }

        // Word writes a rendered break after an explicit one for the same page end; count it once.
        private void RenderedPageBreak()
        {
            if (_textSincePageBreak)
            {
                ExplicitPageBreak();
            }
        }

        private static bool IsPageBreak(Break pageBreak) => pageBreak.Type?.Value == BreakValues.Page;

        private (BlockKind Kind, int Level) Classify(ParagraphProperties? properties)
        {
            var styleId = properties?.ParagraphStyleId?.Val?.Value;
            if (HeadingLevel(properties, styleId) is { } headingLevel)
            {
                return (BlockKind.Heading, headingLevel);
            }

            var numbering = properties?.NumberingProperties;
            if (numbering is not null && numbering.NumberingId?.Val?.Value != 0)
            {
                return (BlockKind.ListItem, numbering.NumberingLevelReference?.Val?.Value ?? 0);
            }

            return StyleChain(styleId).Any(style => style.HasNumbering) ? (BlockKind.ListItem, 0) : (BlockKind.Paragraph, 0);
        }

        private int? HeadingLevel(ParagraphProperties? properties, string? styleId)
        {
            if (properties?.OutlineLevel?.Val?.Value is { } directLevel && directLevel < 9)
            {
                return directLevel + 1;
            }

            // Documents without a styles part still name their styles "Title", "Heading1".
            if (styleId is not null && _styles.Count == 0)
            {
                if (string.Equals(styleId, "Title", StringComparison.OrdinalIgnoreCase))
                {
                    return 1;
                }

                if (HeadingStyleName().Match(styleId) is { Success: true } idMatch)
                {
                    return int.Parse(idMatch.Groups[1].Value, CultureInfo.InvariantCulture);
                }
            }

            foreach (var style in StyleChain(styleId))
            {
                if (string.Equals(style.Name, "Title", StringComparison.OrdinalIgnoreCase))
                {
                    return 1;
                }

                if (style.Name is not null && HeadingStyleName().Match(style.Name) is { Success: true } nameMatch)
                {
                    return int.Parse(nameMatch.Groups[1].Value, CultureInfo.InvariantCulture);
                }

                if (style.OutlineLevel is { } outlineLevel and < 9)
                {
                    return outlineLevel + 1;
                }
            }

            return null;
        }

        private IEnumerable<StyleInfo> StyleChain(string? styleId)
        {
            // basedOn chains are short; the bound stops a malicious cycle.
            for (var hops = 0; styleId is not null && hops < 10 && _styles.TryGetValue(styleId, out var style); hops++)
            {
                yield return style;
                styleId = style.BasedOn;
            }
        }

        private static Dictionary<string, StyleInfo> ReadStyles(WordprocessingDocument document)
        {
            var styles = new Dictionary<string, StyleInfo>(StringComparer.Ordinal);
            var definitions = document.MainDocumentPart?.StyleDefinitionsPart?.Styles;
            if (definitions is null)
            {
                return styles;
            }

            foreach (var style in definitions.Elements<Style>())
            {
                if (style.StyleId?.Value is not { } id || style.Type?.Value != StyleValues.Paragraph)
                {
                    continue;
                }

                var paragraphProperties = style.StyleParagraphProperties;
                styles[id] = new StyleInfo(
                    style.StyleName?.Val?.Value,
                    style.BasedOn?.Val?.Value,
                    paragraphProperties?.OutlineLevel?.Val?.Value,
                    paragraphProperties?.NumberingProperties?.NumberingId?.Val?.Value is > 0);
            }

            return styles;
        }
    }
}
