using Memic.Ingestion.Extraction.Internals;

namespace Memic.Ingestion.Extraction.TextFormats;

/// <summary>
/// Reads plain text: paragraphs are separated by blank lines, and a form feed (\f, as printers and
/// pdftotext emit) starts a new page. A trailing form feed does not add an empty page.
/// </summary>
public sealed class PlainTextExtractor(ExtractionOptions? options = null) : IDocumentExtractor
{
    private readonly ExtractionOptions _options = options ?? ExtractionOptions.Default;

    public string FormatName => "TXT";

    public IReadOnlyList<string> MimeTypes { get; } = ["text/plain"];

    public IReadOnlyList<string> FileExtensions { get; } = [".txt", ".text", ".log"];

    public async Task<ExtractedDocument> ExtractAsync(Stream content, CancellationToken cancellationToken)
    {
        var bytes = await InputBuffer.ReadAllAsync(content, _options, FormatName, cancellationToken);
        var text = TextDecoding.Decode(bytes, FormatName);
        var pages = text.Split('\f');
        var pageCount = pages.Length > 1 && string.IsNullOrWhiteSpace(pages[^1]) ? pages.Length - 1 : pages.Length;

        var builder = new ExtractedDocumentBuilder(_options, FormatName);
        for (var index = 0; index < pageCount; index++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            builder.StartPage(index + 1);
            foreach (var paragraph in Paragraphs(pages[index]))
            {
                builder.AddParagraph(paragraph);
            }
        }

        return builder.Build(title: null);
    }

    /// <summary>
    /// Splits text at blank lines (a line break, spaces or tabs, another line break, then any whitespace) in one
    /// pass; the whitespace around a paragraph is left to the builder's cleanup.
    /// </summary>
    internal static IEnumerable<string> Paragraphs(string text)
    {
        var start = 0;
        var index = 0;
        while (index < text.Length)
        {
            if (text[index] != '\n')
            {
                index++;
                continue;
            }

            var next = index + 1;
            while (next < text.Length && text[next] is ' ' or '\t')
            {
                next++;
            }

            if (next >= text.Length || text[next] != '\n')
            {
                index = next;
                continue;
            }

            yield return text[start..index];
            while (next < text.Length && char.IsWhiteSpace(text[next]))
            {
                next++;
            }

            start = index = next;
        }

        yield return text[start..];
    }
}
