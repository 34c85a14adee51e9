using System.Text.RegularExpressions;
using AngleSharp.Html.Parser;
using Memic.Core.Search;
using Memic.Embedded;
using Memic.Embedded.Embeddings;
using Memic.Embedded.Search;
using Memic.Ingestion;
using Memic.Ingestion.Extraction;
using Microsoft.Extensions.Options;

namespace Memic.Server.Tests;

/// <summary>
/// Guards the calibrated score on documents nobody here wrote: a few pages of the Python library reference as Debian's
/// python3.11-doc ships it (scripts/test.sh installs it), ingested as the local server ingests them (HTML extractor,
/// chunker, MiniLM over the chunk text, SQLite index), searched through <see cref="SearchService"/> at the SDK's
/// default min_score 0.7. Each query is an API entry's one-line summary, removed from its page first so the page does
/// not simply quote it (as in the relevance-real benchmark).
/// </summary>
public sealed partial class RealDocumentCalibrationTests : IAsyncLifetime
{
    private const string Library = "/usr/share/doc/python3.11/html/library";
    private static readonly Guid Environment = new("5eed0000-0000-4000-8000-000000000001");

    /// <summary>Page, API entry, its summary sentence (the query).</summary>
    private static readonly (string Page, string Entry, string Query)[] Entries =
    [
        ("math.html", "math.gcd", "Return the greatest common divisor of the specified integer arguments."),
        ("shutil.html", "shutil.copyfileobj", "Copy the contents of the file-like object fsrc to the file-like object fdst."),
        ("json.html", "json.dumps", "Serialize obj to a JSON formatted str using this conversion table."),
        ("zlib.html", "zlib.compress", "Compresses the bytes in data, returning a bytes object containing compressed data."),
        ("random.html", "random.shuffle", "Shuffle the sequence x in place."),
    ];

    private readonly string _data = Directory.CreateTempSubdirectory("memic-calibration-").FullName;
    private MiniLmEmbeddingGenerator? _embedder;
    private SqliteSearchIndex? _index;
    private readonly StandaloneSearch _searches = new();

    public async ValueTask InitializeAsync()
    {
        Assert.SkipUnless(Directory.Exists(Library), $"{Library} is missing: install the Debian package python3.11-doc (scripts/test.sh does).");
        _embedder = new MiniLmEmbeddingGenerator();
        _index = new SqliteSearchIndex(Options.Create(new EmbeddedOptions { DataDirectory = _data }));
        await _index.CreateAsync(Environment, _embedder.Info, default);
        var reader = new IngestionDocumentReader(DocumentExtractorRegistry.CreateDefault());
        var parser = new HtmlParser();
        for (var f = 0; f < Entries.Length; f++)
        {
            var (page, entry, query) = Entries[f];
            using var html = parser.ParseDocument(await File.ReadAllTextAsync(Path.Combine(Library, page)));
            var paragraph = html.GetElementById(entry)!.NextElementSibling!.Children.First(c => c.LocalName == "p");
            var text = Whitespace().Replace(paragraph.TextContent, " ").Trim();
            Assert.StartsWith(query, text, StringComparison.Ordinal);
            paragraph.TextContent = text[query.Length..];

            var parsed = await reader.ParseAsync(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(html.DocumentElement.OuterHtml)), "text/html", page, default);
            var chunks = reader.Chunk(parsed, _embedder, _embedder.Info.MaxInputTokens, default);
            var vectors = await _embedder.GenerateAsync(chunks.Select(c => c.Text));
            var fileId = new Guid($"5eed0000-0000-4000-a000-{f:D12}");
            await _index.ReplaceFileChunksAsync(Environment, fileId, [.. chunks.Select((c, i) => new IndexedChunk(
                new Guid($"5eed0000-{f:D4}-4000-b000-{i:D12}"), fileId, Guid.Empty, c.ChunkIndex, c.Text, c.PageNumber, c.StartPage, c.EndPage,
                c.TokenCount, c.HeadingPath, page, "text/html", null, null, null, new Dictionary<string, string>(), vectors[i].Vector))], default);
        }
    }

    public ValueTask DisposeAsync()
    {
        _index?.Dispose();
        _embedder?.Dispose();
        _searches.Dispose();
        Directory.Delete(_data, recursive: true);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task An_entry_summary_keeps_its_page_at_the_default_min_score_and_other_pages_drop_out()
    {
        var search = _searches.Over(_index!, _embedder!);

        var kept = new List<string>();
        var wrong = new List<string>();
        foreach (var (page, _, query) in Entries)
        {
            var outcome = await search.SearchAsync(Environment, new SearchRequest(query, 10, 0.7, IndexFilter.None, false, null), TestContext.Current.CancellationToken);
            if (outcome.Hits.Any(h => h.Chunk.FileName == page))
            {
                kept.Add(page);
            }

            wrong.AddRange(outcome.Hits.Where(h => h.Chunk.FileName != page).Select(h => $"{query} → {h.Chunk.FileName} {h.Score:F2}"));
        }

        Assert.Equal(Entries.Select(e => e.Page), kept);
        Assert.Empty(wrong);
    }

    [Fact]
    public async Task A_nonsense_query_returns_nothing_at_the_default_min_score()
    {
        var search = _searches.Over(_index!, _embedder!);

        var outcome = await search.SearchAsync(Environment, new SearchRequest("vorpal mimsy borogove tulgey", 10, 0.7, IndexFilter.None, false, null), TestContext.Current.CancellationToken);

        Assert.Empty(outcome.Hits);
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
