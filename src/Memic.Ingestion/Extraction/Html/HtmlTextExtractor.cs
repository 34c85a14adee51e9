using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Memic.Ingestion.Extraction.Internals;

namespace Memic.Ingestion.Extraction.Html;

/// <summary>
/// Reads the visible text of an HTML page as one page: headings h1–h6, paragraphs, list items (with
/// nesting depth), table rows and preformatted blocks. Script, style, noscript, template, embedded
/// objects, navigation menus and hidden elements are left out. The &lt;title&gt; becomes the document title.
/// </summary>
public sealed class HtmlTextExtractor(ExtractionOptions? options = null) : IDocumentExtractor
{
    private static readonly HashSet<string> SkippedElements = new(StringComparer.Ordinal)
    {
        "script", "style", "noscript", "template", "head", "iframe", "object", "embed", "svg", "math",
        "canvas", "nav", "button", "select", "option", "datalist", "input", "textarea", "audio", "video", "map",
    };

    private static readonly HashSet<string> BlockElements = new(StringComparer.Ordinal)
    {
        "p", "div", "section", "article", "main", "header", "footer", "aside", "blockquote", "figure",
        "figcaption", "address", "dd", "dt", "dl", "form", "fieldset", "legend", "details", "summary",
        "body", "html", "center", "caption", "hr",
    };

    private readonly ExtractionOptions _options = options ?? ExtractionOptions.Default;

    public string FormatName => "HTML";

    public IReadOnlyList<string> MimeTypes { get; } = ["text/html", "application/xhtml+xml"];

    public IReadOnlyList<string> FileExtensions { get; } = [".html", ".htm", ".xhtml"];

    public async Task<ExtractedDocument> ExtractAsync(Stream content, CancellationToken cancellationToken)
    {
        var bytes = await InputBuffer.ReadAllAsync(content, _options, FormatName, cancellationToken);
        var html = TextDecoding.Decode(bytes, FormatName);
        try
        {
            // The async parser observes cancellation; pathological nesting makes parsing slow enough to matter.
            using var document = await new HtmlParser().ParseDocumentAsync(html, cancellationToken);
            var walker = new Walker(new ExtractedDocumentBuilder(_options, FormatName), cancellationToken);
            walker.Builder.StartPage(1);
            if (document.Body is { } body)
            {
                walker.Walk(body);
            }

            walker.Flush();
            return walker.Builder.Build(document.Title);
        }
        catch (Exception exception) when (ExtractionFailures.IsLibraryFailure(exception))
        {
            throw ExtractionFailures.Corrupt(FormatName, exception);
        }
    }

    private sealed class Walker(ExtractedDocumentBuilder builder, CancellationToken cancellationToken)
    {
        private readonly StringBuilder _inline = new();
        private int _listDepth = -1;
        private bool _inListItem;
        private int _visited;

        public ExtractedDocumentBuilder Builder => builder;

        public void Walk(INode node)
        {
            foreach (var child in node.ChildNodes)
            {
                if ((++_visited & 1023) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                switch (child)
                {
                    case IText text:
                        _inline.Append(text.Data);
                        break;
                    case IElement element:
                        WalkElement(element);
                        break;
                    default:
                        break;
                }
            }
        }

        public void Flush()
        {
            if (_inline.Length == 0)
            {
                return;
            }

            // Source line breaks are just whitespace in HTML; only <br> (recorded as \u2028) breaks a line.
            var text = _inline.ToString().Replace('\n', ' ').Replace('\u2028', '\n');
            _inline.Clear();
            if (_inListItem)
            {
                builder.AddListItem(text, Math.Max(0, _listDepth));
            }
            else
            {
                builder.AddParagraph(text);
            }
        }

        private void WalkElement(IElement element)
        {
            var name = element.LocalName;
            if (IsHidden(element, name))
            {
                return;
            }

            switch (name)
            {
                case "h1" or "h2" or "h3" or "h4" or "h5" or "h6":
                    Flush();
                    builder.AddHeading(InlineText(element), name[1] - '0');
                    break;
                case "br":
                    _inline.Append('\u2028');
                    break;
                case "ul" or "ol" or "menu":
                    Flush();
                    _listDepth++;
                    Walk(element);
                    Flush();
                    _listDepth--;
                    break;
                case "li":
                    Flush();
                    var wasInListItem = _inListItem;
                    _inListItem = true;
                    Walk(element);
                    Flush();
                    _inListItem = wasInListItem;
                    break;
                case "pre":
                    Flush();
                    builder.AddCode(element.TextContent);
                    break;
                case "table":
                    Flush();
                    AddTable(element);
                    break;
                case "img":
                    break;
                default:
                    if (BlockElements.Contains(name))
                    {
                        Flush();
                        Walk(element);
                        Flush();
                    }
                    else
                    {
                        Walk(element);
                    }

                    break;
            }
        }

        private void AddTable(IElement table)
        {
            var rows = table.QuerySelectorAll("tr").Where(row => row.Closest("table") == table);
            foreach (var row in rows)
            {
                var cells = row.Children.Where(cell => cell.LocalName is "td" or "th").Select(InlineText);
                builder.AddTableRow(cells);
            }

            var caption = table.Children.FirstOrDefault(child => child.LocalName == "caption");
            if (caption is not null)
            {
                builder.AddParagraph(InlineText(caption));
            }
        }

        private static string InlineText(IElement element)
        {
            var text = new StringBuilder();
            AppendVisibleText(element, text);
            return text.ToString();
        }

        private static void AppendVisibleText(INode node, StringBuilder text)
        {
            foreach (var child in node.ChildNodes)
            {
                if (child is IText textNode)
                {
                    text.Append(textNode.Data);
                }
                else if (child is IElement element && !IsHidden(element, element.LocalName))
                {
                    // Block-level children of a cell or heading keep their words apart; inline ones (<b>, <a>) join.
                    var separate = element.LocalName is "br" or "li" or "td" or "th" or "tr" or "table" or "ul" or "ol" || BlockElements.Contains(element.LocalName);
                    if (separate)
                    {
                        text.Append(' ');
                    }

                    AppendVisibleText(element, text);
                    if (separate)
                    {
                        text.Append(' ');
                    }
                }
            }
        }

        private static bool IsHidden(IElement element, string name) =>
            SkippedElements.Contains(name)
            || element.HasAttribute("hidden")
            || string.Equals(element.GetAttribute("aria-hidden"), "true", StringComparison.OrdinalIgnoreCase)
            || (element.GetAttribute("style") is { } style
                && style.Replace(" ", string.Empty, StringComparison.Ordinal).Contains("display:none", StringComparison.OrdinalIgnoreCase));
    }
}
