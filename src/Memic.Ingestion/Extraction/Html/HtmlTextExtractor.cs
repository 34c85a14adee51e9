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
        if (HtmlNestingScan.ExceedsDepth(html, _options.MaxNestingDepth))
        {
            throw TooDeep(_options);
        }

        try
        {
            using var document = await new HtmlParser().ParseDocumentAsync(html, cancellationToken);
            var walker = new Walker(new ExtractedDocumentBuilder(_options, FormatName), _options, cancellationToken);
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

    private static DocumentExtractionException TooDeep(ExtractionOptions options) =>
        new(ExtractionFailureKind.LimitExceeded, $"The HTML nests elements more than {options.MaxNestingDepth:N0} levels deep, the extraction limit.");

    /// <summary>
    /// Walks the DOM with an explicit stack (no recursion, so no depth can overflow the call stack) and refuses
    /// elements nested past <see cref="ExtractionOptions.MaxNestingDepth"/>.
    /// </summary>
    private sealed class Walker(ExtractedDocumentBuilder builder, ExtractionOptions options, CancellationToken cancellationToken)
    {
        private readonly StringBuilder _inline = new();
        private int _listDepth = -1;
        private bool _inListItem;
        private int _visited;

        private enum Exit
        {
            None,
            Block,
            List,
            ListItem,
            ListItemInsideListItem,
        }

        public ExtractedDocumentBuilder Builder => builder;

        public void Walk(INode root)
        {
            var pending = new Stack<(INode? Node, int Depth, Exit Exit)>();
            PushChildren(pending, root, 1);
            while (pending.TryPop(out var entry))
            {
                if ((++_visited & 1023) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                if (entry.Node is null)
                {
                    Leave(entry.Exit);
                    continue;
                }

                if (entry.Depth > options.MaxNestingDepth)
                {
                    throw TooDeep(options);
                }

                switch (entry.Node)
                {
                    case IText text:
                        _inline.Append(text.Data);
                        break;
                    case IElement element:
                        Enter(pending, element, entry.Depth);
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

        private void Enter(Stack<(INode?, int, Exit)> pending, IElement element, int depth)
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
                    return;
                case "br":
                    _inline.Append('\u2028');
                    return;
                case "ul" or "ol" or "menu":
                    Flush();
                    _listDepth++;
                    pending.Push((null, depth, Exit.List));
                    break;
                case "li":
                    Flush();
                    pending.Push((null, depth, _inListItem ? Exit.ListItemInsideListItem : Exit.ListItem));
                    _inListItem = true;
                    break;
                case "pre":
                    Flush();
                    builder.AddCode(element.TextContent);
                    return;
                case "table":
                    Flush();
                    AddTable(element);
                    return;
                case "img":
                    return;
                default:
                    if (BlockElements.Contains(name))
                    {
                        Flush();
                        pending.Push((null, depth, Exit.Block));
                    }

                    break;
            }

            PushChildren(pending, element, depth + 1);
        }

        private void Leave(Exit exit)
        {
            Flush();
            switch (exit)
            {
                case Exit.List:
                    _listDepth--;
                    break;
                case Exit.ListItem:
                    _inListItem = false;
                    break;
                case Exit.ListItemInsideListItem:
                    _inListItem = true;
                    break;
            }
        }

        private static void PushChildren(Stack<(INode?, int, Exit)> pending, INode node, int depth)
        {
            for (var child = node.LastChild; child is not null; child = child.PreviousSibling)
            {
                pending.Push((child, depth, Exit.None));
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

        /// <summary>The visible text under an element, walked with an explicit stack like the page itself.</summary>
        private static string InlineText(IElement element)
        {
            var text = new StringBuilder();
            var pending = new Stack<(INode Node, bool SpaceAfter)>();
            for (var child = element.LastChild; child is not null; child = child.PreviousSibling)
            {
                pending.Push((child, false));
            }

            while (pending.TryPop(out var entry))
            {
                if (entry.SpaceAfter)
                {
                    text.Append(' ');
                }
                else if (entry.Node is IText textNode)
                {
                    text.Append(textNode.Data);
                }
                else if (entry.Node is IElement child && !IsHidden(child, child.LocalName))
                {
                    // Block-level children of a cell or heading keep their words apart; inline ones (<b>, <a>) join.
                    var separate = child.LocalName is "br" or "li" or "td" or "th" or "tr" or "table" or "ul" or "ol" || BlockElements.Contains(child.LocalName);
                    if (separate)
                    {
                        text.Append(' ');
                        pending.Push((child, true));
                    }

                    for (var grandchild = child.LastChild; grandchild is not null; grandchild = grandchild.PreviousSibling)
                    {
                        pending.Push((grandchild, false));
                    }
                }
            }

            return text.ToString();
        }

        private static bool IsHidden(IElement element, string name) =>
            SkippedElements.Contains(name)
            || element.HasAttribute("hidden")
            || string.Equals(element.GetAttribute("aria-hidden"), "true", StringComparison.OrdinalIgnoreCase)
            || (element.GetAttribute("style") is { } style
                && style.Replace(" ", string.Empty, StringComparison.Ordinal).Contains("display:none", StringComparison.OrdinalIgnoreCase));
    }
}
