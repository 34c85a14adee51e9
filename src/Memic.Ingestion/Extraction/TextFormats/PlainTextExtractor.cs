using System.Text.RegularExpressions;
using Memic.Ingestion.Extraction.Internals;

namespace Memic.Ingestion.Extraction.TextFormats;

/// <summary>
/// Reads plain text: paragraphs are separated by blank lines, and a form feed (\f, as printers and
/// pdftotext emit) starts a new page. A trailing form feed does not add an empty page.
/// </summary>
public sealed partial class PlainTextExtractor(ExtractionOptions? options = null) : IDocumentExtractor
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
            foreach (var paragraph in BlankLine().Split(pages[index]))
            {
                builder.AddParagraph(paragraph);
            }
        }

        return builder.Build(title: null);
    }

    [GeneratedRegex(@"\n[ \t]*\n\s*")]
    internal static partial Regex BlankLine();
}
