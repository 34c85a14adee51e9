using System.Text;
using Markdig;
using Markdig.Extensions.Tables;
using Markdig.Extensions.Yaml;
using Markdig.Helpers;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;
using Memic.Ingestion.Extraction.Internals;

namespace Memic.Ingestion.Extraction.TextFormats;

/// <summary>
/// Reads Markdown (CommonMark with GFM pipe tables and strikethrough, parsed by Markdig) as one page:
/// headings, paragraphs, list items with nesting depth, code blocks, table rows and block quotes. Inline
/// markup (emphasis, links, images, inline code, HTML tags) is reduced to its visible text. YAML front
/// matter is metadata and is left out.
/// </summary>
/// <remarks>
/// Markdig's block parsing is linear, but its inline parsing of one paragraph grows quadratically on hostile
/// input (runs of unclosed <c>[</c>, <c>[a](</c> or <c>*a </c>: about 3.5 ns × length²). So inline markup is
/// parsed only for blocks up to <see cref="MaxInlineParsedCharacters"/> long and until the squared lengths add
/// up to <see cref="InlineParsingBudget"/> (a few seconds at worst, several MB of ordinary paragraphs); other
/// blocks keep their text with the markup characters in it. The time limit is checked before each block's inlines.
/// </remarks>
public sealed class MarkdownTextExtractor(ExtractionOptions? options = null) : IDocumentExtractor
{
    /// <summary>Longest block whose inline markup is parsed.</summary>
    internal const int MaxInlineParsedCharacters = 16 * 1024;

    /// <summary>The sum of squared block lengths up to which inline markup is parsed in one document.</summary>
    internal const long InlineParsingBudget = 2_000_000_000;

    private readonly ExtractionOptions _options = options ?? ExtractionOptions.Default;

    public string FormatName => "Markdown";

    public IReadOnlyList<string> MimeTypes { get; } = ["text/markdown", "text/x-markdown"];

    public IReadOnlyList<string> FileExtensions { get; } = [".md", ".markdown", ".mdown", ".mkd"];

    public async Task<ExtractedDocument> ExtractAsync(Stream content, CancellationToken cancellationToken)
    {
        var bytes = await InputBuffer.ReadAllAsync(content, _options, FormatName, cancellationToken);
        var text = TextDecoding.Decode(bytes, FormatName);
        var document = Parse(text, cancellationToken);
        var builder = new ExtractedDocumentBuilder(_options, FormatName);
        builder.StartPage(1);
        new BlockWalker(builder, cancellationToken).Walk(document);
        return builder.Build(title: null);
    }

    private MarkdownDocument Parse(string text, CancellationToken cancellationToken)
    {
        var pipelineBuilder = new MarkdownPipelineBuilder
        {
            MaximumNestingDepth = _options.MaxNestingDepth,
        }
        .UsePipeTables()
        .UseEmphasisExtras(Markdig.Extensions.EmphasisExtras.EmphasisExtraOptions.Strikethrough)
        .UseYamlFrontMatter();

        var inlineBudget = new InlineBudget(InlineParsingBudget);
        foreach (var blockParser in pipelineBuilder.BlockParsers)
        {
            blockParser.Closed += (_, block) => LimitInlineParsing(block, inlineBudget, cancellationToken);
        }

        try
        {
            return Markdown.Parse(text, pipelineBuilder.Build());
        }
        catch (ArgumentException exception)
        {
            // Markdig's only content-dependent ArgumentException: blocks or inlines nested past MaximumNestingDepth.
            throw new DocumentExtractionException(ExtractionFailureKind.LimitExceeded,
                $"The Markdown nests elements more than {_options.MaxNestingDepth:N0} levels deep, the extraction limit.", exception);
        }
    }

    private static void LimitInlineParsing(Block block, InlineBudget budget, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (block is not LeafBlock { ProcessInlines: true } leaf)
        {
            return;
        }

        var characters = LineCharacters(leaf.Lines);
        if (characters > MaxInlineParsedCharacters || !budget.TrySpend(characters * characters))
        {
            leaf.ProcessInlines = false;
            return;
        }

        // Inlines are parsed after all blocks; this keeps the time limit effective during that phase too.
        leaf.ProcessInlinesBegin += (_, _) => cancellationToken.ThrowIfCancellationRequested();
    }

    private static long LineCharacters(StringLineGroup lines)
    {
        long characters = 0;
        for (var index = 0; index < lines.Count; index++)
        {
            characters += lines.Lines[index].Slice.Length + 1;
        }

        return characters;
    }

    private sealed class InlineBudget(long remaining)
    {
        public bool TrySpend(long cost)
        {
            if (cost > remaining)
            {
                remaining = 0;
                return false;
            }

            remaining -= cost;
            return true;
        }
    }

    /// <summary>Walks the block tree with an explicit stack, emitting blocks in reading order.</summary>
    private sealed class BlockWalker(ExtractedDocumentBuilder builder, CancellationToken cancellationToken)
    {
        private int _visited;

        public void Walk(MarkdownDocument document)
        {
            var pending = new Stack<(Block Block, int ListDepth, bool InListItem)>();
            PushChildren(pending, document, listDepth: -1, inListItem: false);
            while (pending.TryPop(out var entry))
            {
                if ((++_visited & 1023) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                switch (entry.Block)
                {
                    case YamlFrontMatterBlock or LinkReferenceDefinitionGroup or ThematicBreakBlock:
                        break;
                    case HeadingBlock heading:
                        builder.AddHeading(LeafText(heading, softBreak: " "), heading.Level);
                        break;
                    case Table table:
                        foreach (var row in table.OfType<TableRow>())
                        {
                            builder.AddTableRow(row.OfType<TableCell>().Select(cell => string.Join(' ', cell.OfType<LeafBlock>().Select(leaf => LeafText(leaf, " ")))));
                        }

                        break;
                    case CodeBlock code:
                        builder.AddCode(code.Lines.ToString());
                        break;
                    case HtmlBlock { Type: HtmlBlockType.Comment or HtmlBlockType.ProcessingInstruction or HtmlBlockType.DocumentType or HtmlBlockType.CData }:
                        break;
                    case HtmlBlock html when html.Type == HtmlBlockType.ScriptPreOrStyle && !html.Lines.ToString().TrimStart().StartsWith("<pre", StringComparison.OrdinalIgnoreCase):
                        break;
                    case HtmlBlock html:
                        builder.AddParagraph(WithoutTags(html.Lines.ToString()));
                        break;
                    case ParagraphBlock paragraph when paragraph.Inline is null && LooksLikePipeTable(paragraph.Lines):
                        AddRawTable(paragraph.Lines);
                        break;
                    case LeafBlock leaf when entry.InListItem:
                        builder.AddListItem(LeafText(leaf, softBreak: " "), entry.ListDepth);
                        break;
                    case LeafBlock leaf:
                        builder.AddParagraph(LeafText(leaf, softBreak: "\n"));
                        break;
                    case ListBlock list:
                        PushChildren(pending, list, entry.ListDepth + 1, inListItem: true);
                        break;
                    case ContainerBlock container:
                        PushChildren(pending, container, entry.ListDepth, entry.InListItem);
                        break;
                }
            }
        }

        private static void PushChildren(Stack<(Block, int, bool)> pending, ContainerBlock container, int listDepth, bool inListItem)
        {
            for (var index = container.Count - 1; index >= 0; index--)
            {
                pending.Push((container[index], listDepth, inListItem));
            }
        }

        // A table too long for inline parsing still reads as rows: split each line on unescaped pipes.
        private void AddRawTable(StringLineGroup lines)
        {
            for (var index = 0; index < lines.Count; index++)
            {
                if ((index & 1023) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                var line = lines.Lines[index].Slice.ToString();
                if (index != 1)
                {
                    builder.AddTableRow(SplitCells(line));
                }
            }
        }
    }

    /// <summary>The visible text of a leaf block: inline markup reduced to what a reader sees.</summary>
    private static string LeafText(LeafBlock leaf, string softBreak)
    {
        if (leaf.Inline is null)
        {
            return leaf.Lines.ToString();
        }

        var text = new StringBuilder();
        var pending = new Stack<Inline>();
        PushInlines(pending, leaf.Inline);
        while (pending.TryPop(out var inline))
        {
            switch (inline)
            {
                case LiteralInline literal:
                    text.Append(literal.Content.AsSpan());
                    break;
                case CodeInline code:
                    text.Append(code.Content);
                    break;
                case AutolinkInline autolink:
                    text.Append(autolink.Url);
                    break;
                case HtmlEntityInline entity:
                    text.Append(entity.Transcoded.AsSpan());
                    break;
                case LineBreakInline lineBreak:
                    text.Append(lineBreak.IsHard ? "\n" : softBreak);
                    break;
                case ContainerInline container:
                    PushInlines(pending, container);
                    break;
            }
        }

        return text.ToString();
    }

    private static void PushInlines(Stack<Inline> pending, ContainerInline container)
    {
        for (var inline = container.LastChild; inline is not null; inline = inline.PreviousSibling)
        {
            pending.Push(inline);
        }
    }

    private static bool LooksLikePipeTable(StringLineGroup lines)
    {
        if (lines.Count < 2 || !lines.Lines[0].Slice.AsSpan().Contains('|'))
        {
            return false;
        }

        var separator = lines.Lines[1].Slice.AsSpan().Trim();
        return separator.Contains('-') && !separator.ContainsAnyExcept("|:- \t");
    }

    /// <summary>Splits a pipe-table line into cells; <c>\|</c> is a literal pipe and outer pipes are optional.</summary>
    internal static List<string> SplitCells(string line)
    {
        var trimmed = line.AsSpan().Trim();
        if (trimmed.StartsWith('|'))
        {
            trimmed = trimmed[1..];
        }

        if (trimmed.EndsWith('|') && !trimmed.EndsWith("\\|"))
        {
            trimmed = trimmed[..^1];
        }

        var cells = new List<string>();
        var cell = new StringBuilder();
        for (var index = 0; index < trimmed.Length; index++)
        {
            if (trimmed[index] == '\\' && index + 1 < trimmed.Length && trimmed[index + 1] == '|')
            {
                cell.Append('|');
                index++;
            }
            else if (trimmed[index] == '|')
            {
                cells.Add(cell.ToString());
                cell.Clear();
            }
            else
            {
                cell.Append(trimmed[index]);
            }
        }

        cells.Add(cell.ToString());
        return cells;
    }

    /// <summary>Drops HTML tags and comments from an HTML block, keeping the text between them.</summary>
    internal static string WithoutTags(string html)
    {
        var text = new StringBuilder(html.Length);
        var inTag = false;
        foreach (var character in html)
        {
            if (character == '<')
            {
                inTag = true;
            }
            else if (character == '>' && inTag)
            {
                inTag = false;
                text.Append(' ');
            }
            else if (!inTag)
            {
                text.Append(character);
            }
        }

        return text.ToString();
    }
}
