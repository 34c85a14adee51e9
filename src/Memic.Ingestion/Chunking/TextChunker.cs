using System.Globalization;
using System.Text;
using Memic.Core.Documents;
using Memic.Core.Ports;
using Memic.Ingestion.Extraction;

namespace Memic.Ingestion.Chunking;

/// <summary>
/// Cuts an extracted document into passages that fit the embedder's window, keeping page and heading
/// context. A heading always starts a new chunk (a heading directly followed by its sub-heading stays
/// with it and the text that follows). Inside a section, whole blocks are packed greedily; when the next block does not fit,
/// the chunk ends at that block boundary if it is at least half full, otherwise the block is split into
/// sentences to fill it. A sentence is split into words only when it alone exceeds the limit, and a word
/// into characters only when it alone does. A page boundary always ends a chunk, so every chunk's text
/// comes from the one page it cites. Chunks that continue a section on the same page begin with up to
/// <see cref="ChunkingOptions.OverlapTokens"/> tokens of whole trailing sentences (or words) of the previous one.
/// The output depends only on the document, the options and the counter: the same input always gives
/// the same chunks.
/// </summary>
public sealed class TextChunker
{
    private const double MinimumFillBeforeBlockBreak = 0.5;

    private readonly ITokenCounter _tokenCounter;
    private readonly ChunkingOptions _options;

    public TextChunker(ITokenCounter tokenCounter, ChunkingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(tokenCounter);
        _tokenCounter = tokenCounter;
        _options = options ?? ChunkingOptions.Default;
        _options.Validate();
    }

    /// <summary>The options in force.</summary>
    public ChunkingOptions Options => _options;

    /// <summary>Chunks <paramref name="document"/> in document order.</summary>
    public IReadOnlyList<DocumentChunk> Chunk(ExtractedDocument document, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(document);
        var run = new ChunkingRun(_tokenCounter, _options);
        BlockKind? previousKind = null;
        foreach (var page in document.Pages)
        {
            foreach (var block in page.Blocks)
            {
                cancellationToken.ThrowIfCancellationRequested();
                run.Add(block, page.PageNumber, previousKind);
                previousKind = block.Kind;
            }
        }

        return run.Finish();
    }

    private enum Granularity
    {
        Block,
        Sentence,
        Word,
        Character,
    }

    /// <summary>A unit of text as placed in a chunk, with the separator that joins it to what comes before.</summary>
    private sealed record Piece(string Text, string Separator, int Page, Granularity Granularity, bool IsCode, bool IsHeading, int Tokens);

    /// <summary>The mutable state of one chunking pass: the chunk being filled and the work queue.</summary>
    private sealed class ChunkingRun(ITokenCounter counter, ChunkingOptions options)
    {
        private readonly int _maxTokens = options.MaxTokensPerChunk;
        private readonly List<DocumentChunk> _chunks = [];
        private readonly List<(int Level, string Text)> _headings = [];
        private readonly LinkedList<Piece> _pending = new();
        private readonly List<Piece> _current = [];
        private int _currentTokens;
        private int _bodyTokens;
        private int _seedCount;
        private List<Piece>? _overlapSource;

        public void Add(DocumentBlock block, int page, BlockKind? previousKind)
        {
            var isHeading = block.Kind == BlockKind.Heading;
            if (isHeading)
            {
                // Headings stay with the text below them, and a parent heading with its first sub-heading;
                // a heading followed by a sibling or a higher one heads an empty section and is emitted alone.
                if (_bodyTokens > 0 || (_current.Count > 0 && _headings.Count > 0 && _headings[^1].Level >= block.Level))
                {
                    EndSection();
                }

                _headings.RemoveAll(heading => heading.Level >= block.Level);
                _headings.Add((block.Level, block.Text));
            }

            var text = block.Kind == BlockKind.ListItem ? new string(' ', 2 * Math.Min(block.Level, 8)) + "- " + block.Text : block.Text;
            var separator = previousKind == BlockKind.Heading || (previousKind == block.Kind && block.Kind is BlockKind.ListItem or BlockKind.TableRow)
                ? "\n"
                : "\n\n";
            _pending.AddLast(new Piece(text, separator, page, Granularity.Block, block.Kind == BlockKind.Code, isHeading, Count(text)));
            Drain();
        }

        public DocumentChunk[] Finish()
        {
            EndSection();
            return _chunks.ToArray();
        }

        private void EndSection()
        {
            while (_current.Count > _seedCount)
            {
                Emit(sectionContinues: false);
                Drain();
            }

            _current.Clear();
            _currentTokens = 0;
            _bodyTokens = 0;
            _seedCount = 0;
            _overlapSource = null;
        }

        private void Drain()
        {
            while (_pending.First is { } node)
            {
                _pending.RemoveFirst();
                Place(node.Value);
            }
        }

        private void Place(Piece piece)
        {
            if (piece.Tokens > _maxTokens)
            {
                // Too large even for an empty chunk: split it and place the parts, filling the current chunk first.
                PushFront(Split(piece));
                return;
            }

            if (_current.Count == 0)
            {
                StartChunk(piece);
                return;
            }

            // A chunk never runs onto the next page, so the page a search result cites is where its text is.
            if (piece.Page != _current[^1].Page)
            {
                Emit(sectionContinues: true);
                _pending.AddFirst(piece);
                return;
            }

            if (_currentTokens + piece.Tokens <= _maxTokens)
            {
                Append(piece);
                return;
            }

            if (piece.Granularity == Granularity.Block && !piece.IsHeading && _currentTokens < _maxTokens * MinimumFillBeforeBlockBreak)
            {
                var sentences = SplitIntoSentences(piece);
                if (sentences.Count > 1)
                {
                    PushFront(sentences);
                    return;
                }
            }

            Emit(sectionContinues: true);
            _pending.AddFirst(piece);
        }

        private void StartChunk(Piece first)
        {
            if (_overlapSource is { } source)
            {
                // Overlap stays on the first piece's page, so a chunk's page range says where its text really is.
                var samePage = source.Skip(source.FindLastIndex(piece => piece.Page != first.Page) + 1).ToList();
                var budget = Math.Min(options.OverlapTokens, _maxTokens - first.Tokens);
                foreach (var seed in Seed(samePage, budget))
                {
                    Append(seed, isSeed: true);
                }

                _overlapSource = null;
            }

            Append(first);
        }

        private void Append(Piece piece, bool isSeed = false)
        {
            _current.Add(piece);
            _currentTokens += piece.Tokens;
            if (isSeed)
            {
                _seedCount++;
            }
            else if (!piece.IsHeading)
            {
                _bodyTokens += piece.Tokens;
            }
        }

        /// <summary>
        /// Closes the current chunk. Counters need not be additive over pieces (BPE merges across a
        /// boundary), so the rendered text is counted once more, and pieces that push it over the limit
        /// go back to the queue.
        /// </summary>
        private void Emit(bool sectionContinues)
        {
            var text = Render(_current);
            var tokens = Count(text);
            var returned = new List<Piece>();
            while (tokens > _maxTokens)
            {
                if (_seedCount > 0)
                {
                    _current.RemoveRange(0, _seedCount);
                    _seedCount = 0;
                }
                else if (_current.Count > 1)
                {
                    returned.Insert(0, _current[^1]);
                    _current.RemoveAt(_current.Count - 1);
                }
                else
                {
                    // A single piece the counter rates higher in context than alone: mark it for splitting.
                    returned.Insert(0, _current[0] with { Tokens = tokens });
                    _current.Clear();
                    break;
                }

                text = Render(_current);
                tokens = Count(text);
            }

            if (_current.Count > 0)
            {
                _chunks.Add(new DocumentChunk(
                    _chunks.Count,
                    _current[0].Page,
                    _current.Min(piece => piece.Page),
                    _current.Max(piece => piece.Page),
                    tokens,
                    _headings.Select(heading => heading.Text).ToArray(),
                    text));
            }

            _overlapSource = (sectionContinues || returned.Count > 0) && options.OverlapTokens > 0 && _current.Count > 0
                ? [.. _current]
                : null;
            _current.Clear();
            _currentTokens = 0;
            _bodyTokens = 0;
            _seedCount = 0;
            PushFront(returned);
        }

        /// <summary>Whole trailing sentences of the previous chunk within the budget, or its trailing words if none fits.</summary>
        private List<Piece> Seed(List<Piece> source, int budget)
        {
            var seed = new List<Piece>();
            if (budget <= 0)
            {
                return seed;
            }

            var used = 0;
            for (var index = source.Count - 1; index >= 0; index--)
            {
                var units = source[index].Granularity == Granularity.Block ? SplitIntoSentences(source[index]) : [source[index]];
                for (var unit = units.Count - 1; unit >= 0; unit--)
                {
                    var candidate = units[unit];
                    if (used + candidate.Tokens <= budget)
                    {
                        seed.Insert(0, candidate);
                        used += candidate.Tokens;
                        continue;
                    }

                    if (seed.Count == 0 && !candidate.IsCode && candidate.Granularity is Granularity.Block or Granularity.Sentence)
                    {
                        seed.AddRange(TrailingWords(candidate, budget));
                    }

                    return seed;
                }
            }

            return seed;
        }

        private List<Piece> TrailingWords(Piece piece, int budget)
        {
            var words = SentenceSplitter.Words(piece.Text);
            var taken = new List<Piece>();
            var used = 0;
            for (var index = words.Count - 1; index >= 0; index--)
            {
                var tokens = Count(words[index]);
                if (used + tokens > budget)
                {
                    break;
                }

                taken.Insert(0, new Piece(words[index], " ", piece.Page, Granularity.Word, piece.IsCode, piece.IsHeading, tokens));
                used += tokens;
            }

            return taken;
        }

        private List<Piece> Split(Piece piece)
        {
            if (piece.Granularity == Granularity.Block)
            {
                var sentences = SplitIntoSentences(piece);
                if (sentences.Count > 1)
                {
                    return sentences;
                }
            }

            if (piece.Granularity is Granularity.Block or Granularity.Sentence)
            {
                var words = SentenceSplitter.Words(piece.Text);
                if (words.Count > 1)
                {
                    return words
                        .Select((word, index) => Sub(piece, word, index == 0 ? piece.Separator : " ", Granularity.Word))
                        .ToList();
                }
            }

            return SplitIntoCharacters(piece);
        }

        /// <summary>Sentences of prose, lines of code; a single-element list when there is only one.</summary>
        private List<Piece> SplitIntoSentences(Piece piece)
        {
            if (piece.IsCode)
            {
                return piece.Text.Split('\n')
                    .Select((line, index) => (Line: line, Index: index))
                    .Where(line => line.Line.Trim().Length > 0)
                    .Select((line, index) => Sub(piece, line.Line, index == 0 ? piece.Separator : "\n", Granularity.Sentence))
                    .ToList();
            }

            return SentenceSplitter.Sentences(piece.Text)
                .Select((sentence, index) => Sub(piece, sentence.Text, index == 0 ? piece.Separator : sentence.Separator, Granularity.Sentence))
                .ToList();
        }

        /// <summary>
        /// Longest runs of whole text elements (never half a surrogate pair) that fit the limit. Each run's length
        /// is found by doubling and then halving from its start, so the work stays proportional to the run, not to
        /// the rest of the text (a single 20-million-letter word would otherwise take hours).
        /// </summary>
        private List<Piece> SplitIntoCharacters(Piece piece)
        {
            var text = piece.Text;
            var elementStarts = StringInfo.ParseCombiningCharacters(text);
            int Offset(int element) => element < elementStarts.Length ? elementStarts[element] : text.Length;
            bool Fits(int first, int count) => Count(text[Offset(first)..Offset(first + count)]) <= _maxTokens;

            var parts = new List<Piece>();
            var start = 0;
            while (start < elementStarts.Length)
            {
                // Double the run until it no longer fits (or reaches the end), then halve the gap between the two.
                var remaining = elementStarts.Length - start;
                int best = 0, tooMany = remaining + 1;
                for (var size = 1; ; size = Math.Min(size * 2, remaining))
                {
                    if (!Fits(start, size))
                    {
                        tooMany = size;
                        break;
                    }

                    best = size;
                    if (size == remaining)
                    {
                        break;
                    }
                }

                while (tooMany - best > 1)
                {
                    var middle = best + ((tooMany - best) / 2);
                    if (Fits(start, middle))
                    {
                        best = middle;
                    }
                    else
                    {
                        tooMany = middle;
                    }
                }

                if (best == 0)
                {
                    throw new InvalidOperationException(
                        $"The token counter rates a single character as more than {_maxTokens} tokens; chunking cannot satisfy the limit.");
                }

                parts.Add(Sub(piece, text[Offset(start)..Offset(start + best)], start == 0 ? piece.Separator : string.Empty, Granularity.Character));
                start += best;
            }

            return parts;
        }

        private Piece Sub(Piece parent, string text, string separator, Granularity granularity) =>
            new(text, separator, parent.Page, granularity, parent.IsCode, parent.IsHeading, Count(text));

        private void PushFront(List<Piece> pieces)
        {
            for (var index = pieces.Count - 1; index >= 0; index--)
            {
                _pending.AddFirst(pieces[index]);
            }
        }

        private int Count(string text) => counter.CountTokens(text);

        private static string Render(List<Piece> pieces)
        {
            var text = new StringBuilder();
            for (var index = 0; index < pieces.Count; index++)
            {
                if (index > 0)
                {
                    text.Append(pieces[index].Separator);
                }

                text.Append(pieces[index].Text);
            }

            return text.ToString();
        }
    }
}
