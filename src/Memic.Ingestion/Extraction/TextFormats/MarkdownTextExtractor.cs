using System.Text.RegularExpressions;
using Memic.Ingestion.Extraction.Internals;

namespace Memic.Ingestion.Extraction.TextFormats;

/// <summary>
/// Reads Markdown (CommonMark/GFM subset) as one page: ATX (#) and setext headings, paragraphs, list
/// items with nesting depth, fenced code blocks, pipe tables and block quotes. Inline markup (emphasis,
/// links, images, inline code, HTML tags) is reduced to its visible text. YAML front matter is metadata
/// and is left out.
/// </summary>
public sealed partial class MarkdownTextExtractor(ExtractionOptions? options = null) : IDocumentExtractor
{
    private readonly ExtractionOptions _options = options ?? ExtractionOptions.Default;

    public string FormatName => "Markdown";

    public IReadOnlyList<string> MimeTypes { get; } = ["text/markdown", "text/x-markdown"];

    public IReadOnlyList<string> FileExtensions { get; } = [".md", ".markdown", ".mdown", ".mkd"];

    public async Task<ExtractedDocument> ExtractAsync(Stream content, CancellationToken cancellationToken)
    {
        var bytes = await InputBuffer.ReadAllAsync(content, _options, FormatName, cancellationToken);
        var lines = TextDecoding.Decode(bytes, FormatName).Split('\n');
        var builder = new ExtractedDocumentBuilder(_options, FormatName);
        builder.StartPage(1);
        new Parser(lines, builder, cancellationToken).Parse();
        return builder.Build(title: null);
    }

    /// <summary>Reduces inline Markdown to the text a reader sees.</summary>
    internal static string StripInline(string text)
    {
        text = Image().Replace(text, "$1");
        text = InlineLink().Replace(text, "$1");
        text = ReferenceLink().Replace(text, "$1");
        text = AutoLink().Replace(text, "$1");
        text = InlineCode().Replace(text, "$2");
        text = HtmlTag().Replace(text, string.Empty);
        text = Strong().Replace(text, "$2");
        text = Strikethrough().Replace(text, "$1");
        text = StarEmphasis().Replace(text, "$1");
        text = UnderscoreEmphasis().Replace(text, "$1");
        return Escape().Replace(text, "$1");
    }

    private sealed class Parser(string[] lines, ExtractedDocumentBuilder builder, CancellationToken cancellationToken)
    {
        private readonly List<string> _paragraph = [];
        private int _index;

        public void Parse()
        {
            SkipFrontMatter();
            while (_index < lines.Length)
            {
                if ((_index & 1023) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                var line = lines[_index];
                if (FenceOpening().Match(line) is { Success: true } fence)
                {
                    FlushParagraph();
                    ReadFencedCode(fence.Groups[1].Value);
                }
                else if (string.IsNullOrWhiteSpace(line))
                {
                    FlushParagraph();
                    _index++;
                }
                else if (AtxHeading().Match(line) is { Success: true } heading)
                {
                    FlushParagraph();
                    builder.AddHeading(StripInline(heading.Groups[2].Value), heading.Groups[1].Length);
                    _index++;
                }
                else if (_paragraph.Count > 0 && SetextUnderline().Match(line) is { Success: true } underline)
                {
                    var text = string.Join(' ', _paragraph);
                    _paragraph.Clear();
                    builder.AddHeading(StripInline(text), underline.Groups[1].Value[0] == '=' ? 1 : 2);
                    _index++;
                }
                else if (ThematicBreak().IsMatch(line))
                {
                    FlushParagraph();
                    _index++;
                }
                else if (line.Contains('|', StringComparison.Ordinal) && _index + 1 < lines.Length && TableSeparator().IsMatch(lines[_index + 1]))
                {
                    FlushParagraph();
                    ReadTable();
                }
                else if (ListItem().Match(line) is { Success: true } item)
                {
                    FlushParagraph();
                    ReadListItem(item);
                }
                else if (LinkDefinition().IsMatch(line))
                {
                    _index++;
                }
                else
                {
                    var quote = BlockQuote().Match(line);
                    _paragraph.Add(quote.Success ? quote.Groups[1].Value.Trim() : line.Trim());
                    _index++;
                }
            }

            FlushParagraph();
        }

        private void SkipFrontMatter()
        {
            if (lines.Length == 0 || lines[0].TrimEnd() != "---")
            {
                return;
            }

            for (var i = 1; i < Math.Min(lines.Length, 200); i++)
            {
                if (lines[i].TrimEnd() is "---" or "...")
                {
                    _index = i + 1;
                    return;
                }
            }
        }

        private void ReadFencedCode(string fence)
        {
            var code = new List<string>();
            _index++;
            while (_index < lines.Length)
            {
                var line = lines[_index++];
                var trimmed = line.Trim();
                if (trimmed.Length >= fence.Length && trimmed.StartsWith(fence, StringComparison.Ordinal) && trimmed.All(character => character == fence[0]))
                {
                    break;
                }

                code.Add(line);
            }

            builder.AddCode(string.Join('\n', code));
        }

        private void ReadTable()
        {
            builder.AddTableRow(TableCells(lines[_index]));
            _index += 2;
            while (_index < lines.Length && !string.IsNullOrWhiteSpace(lines[_index]) && lines[_index].Contains('|', StringComparison.Ordinal))
            {
                builder.AddTableRow(TableCells(lines[_index]));
                _index++;
            }
        }

        private static IEnumerable<string> TableCells(string line)
        {
            var trimmed = line.Trim();
            if (trimmed.StartsWith('|'))
            {
                trimmed = trimmed[1..];
            }

            if (trimmed.EndsWith('|') && !trimmed.EndsWith("\\|", StringComparison.Ordinal))
            {
                trimmed = trimmed[..^1];
            }

            return EscapedPipeSplit().Split(trimmed).Select(cell => StripInline(cell.Replace("\\|", "|", StringComparison.Ordinal).Trim()));
        }

        private void ReadListItem(Match item)
        {
            var indent = item.Groups[1].Value.Replace("\t", "    ", StringComparison.Ordinal).Length;
            var text = new List<string> { item.Groups[3].Value.Trim() };
            _index++;

            // Continuation lines: indented text, or lazy continuation of the item's paragraph.
            while (_index < lines.Length)
            {
                var line = lines[_index];
                if (string.IsNullOrWhiteSpace(line) || ListItem().IsMatch(line) || AtxHeading().IsMatch(line)
                    || FenceOpening().IsMatch(line) || ThematicBreak().IsMatch(line) || BlockQuote().IsMatch(line))
                {
                    break;
                }

                text.Add(line.Trim());
                _index++;
            }

            builder.AddListItem(StripInline(string.Join(' ', text)), indent / 2);
        }

        private void FlushParagraph()
        {
            if (_paragraph.Count > 0)
            {
                builder.AddParagraph(StripInline(string.Join('\n', _paragraph)));
                _paragraph.Clear();
            }
        }
    }

    [GeneratedRegex(@"^ {0,3}(`{3,}|~{3,})")]
    private static partial Regex FenceOpening();

    [GeneratedRegex(@"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")]
    private static partial Regex AtxHeading();

    [GeneratedRegex(@"^ {0,3}(=+|-+)[ \t]*$")]
    private static partial Regex SetextUnderline();

    [GeneratedRegex(@"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")]
    private static partial Regex ThematicBreak();

    [GeneratedRegex(@"^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$")]
    private static partial Regex TableSeparator();

    [GeneratedRegex(@"^([ \t]*)([-*+]|\d{1,9}[.)])[ \t]+(.*)$")]
    private static partial Regex ListItem();

    [GeneratedRegex(@"^ {0,3}>[ ]?(.*)$")]
    private static partial Regex BlockQuote();

    [GeneratedRegex(@"^ {0,3}\[[^\]]+\]:\s+\S+")]
    private static partial Regex LinkDefinition();

    [GeneratedRegex(@"(?<!\\)\|")]
    private static partial Regex EscapedPipeSplit();

    [GeneratedRegex(@"!\[([^\]]*)\]\([^)]*\)")]
    private static partial Regex Image();

    [GeneratedRegex(@"\[([^\]]+)\]\([^)]*\)")]
    private static partial Regex InlineLink();

    [GeneratedRegex(@"\[([^\]]+)\]\[[^\]]*\]")]
    private static partial Regex ReferenceLink();

    [GeneratedRegex(@"<((?:https?|mailto):[^>\s]+)>")]
    private static partial Regex AutoLink();

    [GeneratedRegex(@"(`+)(.+?)\1")]
    private static partial Regex InlineCode();

    [GeneratedRegex(@"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")]
    private static partial Regex HtmlTag();

    [GeneratedRegex(@"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")]
    private static partial Regex Strong();

    [GeneratedRegex(@"~~(?=\S)(.+?)(?<=\S)~~")]
    private static partial Regex Strikethrough();

    [GeneratedRegex(@"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])")]
    private static partial Regex StarEmphasis();

    [GeneratedRegex(@"(?<![\w_])_(?=\S)(.+?)(?<=\S)_(?![\w_])")]
    private static partial Regex UnderscoreEmphasis();

    [GeneratedRegex(@"\\([\\`*_{}\[\]()#+\-.!|~<>])")]
    private static partial Regex Escape();
}
