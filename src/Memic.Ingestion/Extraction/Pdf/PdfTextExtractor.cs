using System.Text;
using Memic.Ingestion.Extraction.Internals;
using Memic.Ingestion.Extraction.Ocr;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.DocumentLayoutAnalysis;
using UglyToad.PdfPig.DocumentLayoutAnalysis.PageSegmenter;
using UglyToad.PdfPig.DocumentLayoutAnalysis.ReadingOrderDetector;
using UglyToad.PdfPig.DocumentLayoutAnalysis.TextExtractor;
using UglyToad.PdfPig.DocumentLayoutAnalysis.WordExtractor;
using UglyToad.PdfPig.Exceptions;
using UglyToad.PdfPig.Filters;

namespace Memic.Ingestion.Extraction.Pdf;

/// <summary>
/// Reads PDFs page by page (page number = PDF page). Letters are grouped into words by nearest neighbour,
/// words into blocks by Docstrum, and blocks put in reading order, so columns and side notes do not
/// interleave. A short block set clearly larger than the page's body text becomes a heading.
/// Pages without a text layer are read with OCR from their embedded image when an OCR engine is available.
/// </summary>
public sealed class PdfTextExtractor(ExtractionOptions? options = null, IOcrEngine? ocrEngine = null) : IDocumentExtractor
{
    private static readonly NearestNeighbourWordExtractor WordExtractor =
        new(new NearestNeighbourWordExtractor.NearestNeighbourWordExtractorOptions { MaxDegreeOfParallelism = 1 });

    // One thread per page keeps output independent of scheduling, and the pipeline already runs files in parallel.
    private static readonly DocstrumBoundingBoxes PageSegmenter =
        new(new DocstrumBoundingBoxes.DocstrumBoundingBoxesOptions { MaxDegreeOfParallelism = 1 });

    private readonly ExtractionOptions _options = options ?? ExtractionOptions.Default;
    private readonly IOcrEngine _ocrEngine = ocrEngine ?? NoOcrEngine.Instance;

    public string FormatName => "PDF";

    public IReadOnlyList<string> MimeTypes { get; } = ["application/pdf", "application/x-pdf"];

    public IReadOnlyList<string> FileExtensions { get; } = [".pdf"];

    public async Task<ExtractedDocument> ExtractAsync(Stream content, CancellationToken cancellationToken)
    {
        var bytes = await InputBuffer.ReadAllAsync(content, _options, FormatName, cancellationToken);
        if (bytes.AsSpan(0, Math.Min(bytes.Length, 1024)).IndexOf("%PDF-"u8) < 0)
        {
            throw new DocumentExtractionException(ExtractionFailureKind.Corrupt, "The file is not a valid PDF document: it has no PDF header.");
        }

        try
        {
            return await ReadAsync(bytes, cancellationToken);
        }
        catch (PdfDocumentEncryptedException exception)
        {
            throw new DocumentExtractionException(ExtractionFailureKind.Encrypted,
                "The PDF is password-protected; upload a copy without a password.", exception);
        }
        catch (Exception exception) when (ExtractionFailures.IsLibraryFailure(exception))
        {
            throw ExtractionFailures.Corrupt(FormatName, exception);
        }
    }

    private async Task<ExtractedDocument> ReadAsync(byte[] bytes, CancellationToken cancellationToken)
    {
        using var document = PdfDocument.Open(bytes, new ParsingOptions
        {
            UseLenientParsing = true,
            SkipMissingFonts = true,
            FilterProvider = new BoundedFilterProvider(DefaultFilterProvider.Instance, _options.MaxPdfStreamBytes),
        });
        if (document.NumberOfPages > _options.MaxPages)
        {
            throw new DocumentExtractionException(ExtractionFailureKind.LimitExceeded,
                $"The PDF has {document.NumberOfPages:N0} pages, more than the extraction limit of {_options.MaxPages:N0}.");
        }

        if (document.NumberOfPages == 0)
        {
            throw new DocumentExtractionException(ExtractionFailureKind.Corrupt, "The PDF has no pages.");
        }

        var builder = new ExtractedDocumentBuilder(_options, FormatName);
        var pagesWithoutTextLayer = 0;
        var ocrPages = 0;
        for (var pageNumber = 1; pageNumber <= document.NumberOfPages; pageNumber++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var page = document.GetPage(pageNumber);
            builder.StartPage(pageNumber);
            if (page.Letters.Any(letter => !string.IsNullOrWhiteSpace(letter.Value)))
            {
                AddTextLayer(builder, page);
                continue;
            }

            pagesWithoutTextLayer++;
            if (_ocrEngine.IsAvailable && ocrPages < _options.MaxOcrPages && LargestImage(page, _options) is { } image)
            {
                ocrPages++;
                var text = await _ocrEngine.RecognizeAsync(image.Bytes, image.Extension, cancellationToken);
                foreach (var paragraph in text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
                {
                    builder.AddParagraph(paragraph);
                }
            }
        }

        if (!builder.HasText && pagesWithoutTextLayer == document.NumberOfPages)
        {
            throw _ocrEngine.IsAvailable
                ? new DocumentExtractionException(ExtractionFailureKind.NoText, "The PDF has no text layer, and OCR found no text in it.")
                : new DocumentExtractionException(ExtractionFailureKind.NoTextLayer, "The PDF has no text layer; OCR is not configured.");
        }

        return builder.Build(document.Information?.Title);
    }

    private static void AddTextLayer(ExtractedDocumentBuilder builder, Page page)
    {
        IReadOnlyList<TextBlock> blocks;
        try
        {
            var words = page.GetWords(WordExtractor).Where(word => !string.IsNullOrWhiteSpace(word.Text)).ToList();
            blocks = PageSegmenter.GetBlocks(words);
            blocks = UnsupervisedReadingOrderDetector.Instance.Get(blocks).ToList();
        }
        catch (Exception exception) when (ExtractionFailures.IsLibraryFailure(exception))
        {
            // Layout analysis trips over some odd pages; the content-order text is still worth having.
            var text = ContentOrderTextExtractor.GetText(page, new ContentOrderTextExtractor.Options { SeparateParagraphsWithDoubleNewline = true });
            foreach (var paragraph in text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
            {
                builder.AddParagraph(paragraph);
            }

            return;
        }

        var bodySize = MedianLetterSize(page);
        foreach (var block in blocks)
        {
            // Docstrum can merge a heading with the paragraph under it; split a block where the font size changes.
            foreach (var run in RunsOfSimilarSize(block.TextLines, bodySize))
            {
                var text = JoinLines(run.Lines);
                if (run.HeadingLevel is { } level && text.Length <= 200 && run.Lines.Count <= 3)
                {
                    builder.AddHeading(text, level);
                }
                else
                {
                    builder.AddParagraph(text);
                }
            }
        }
    }

    /// <summary>Consecutive lines grouped by heading level (null for body-size text).</summary>
    private static List<(List<TextLine> Lines, int? HeadingLevel)> RunsOfSimilarSize(IReadOnlyList<TextLine> lines, double bodySize)
    {
        var runs = new List<(List<TextLine> Lines, int? HeadingLevel)>();
        foreach (var line in lines)
        {
            var level = HeadingLevel(line, bodySize);
            if (runs.Count > 0 && runs[^1].HeadingLevel == level)
            {
                runs[^1].Lines.Add(line);
            }
            else
            {
                runs.Add(([line], level));
            }
        }

        return runs;
    }

    /// <summary>Joins lines into running text, rejoining words hyphenated across a line end.</summary>
    private static string JoinLines(IEnumerable<TextLine> lines)
    {
        var text = new StringBuilder();
        foreach (var line in lines)
        {
            var lineText = line.Text.Trim();
            if (lineText.Length == 0)
            {
                continue;
            }

            if (text.Length > 0)
            {
                if (text[^1] == '-' && text.Length > 1 && char.IsLetter(text[^2]) && char.IsLower(lineText[0]))
                {
                    text.Length--;
                }
                else
                {
                    text.Append(' ');
                }
            }

            text.Append(lineText);
        }

        return text.ToString();
    }

    /// <summary>A line set clearly larger than the page's body text is a heading: level 1 at 1.8×, 2 at 1.45×, 3 at 1.2×.</summary>
    private static int? HeadingLevel(TextLine line, double bodySize)
    {
        var letters = line.Words.SelectMany(word => word.Letters).Where(letter => !string.IsNullOrWhiteSpace(letter.Value)).ToList();
        if (bodySize <= 0 || letters.Count == 0)
        {
            return null;
        }

        var ratio = letters.Average(letter => letter.PointSize) / bodySize;
        return ratio >= 1.8 ? 1 : ratio >= 1.45 ? 2 : ratio >= 1.2 ? 3 : null;
    }

    private static double MedianLetterSize(Page page)
    {
        var sizes = page.Letters.Where(letter => !string.IsNullOrWhiteSpace(letter.Value)).Select(letter => letter.PointSize).Order().ToList();
        return sizes.Count == 0 ? 0 : sizes[sizes.Count / 2];
    }

    /// <summary>The page's largest embedded image in a format OCR reads; scanned pages are one full-page image.</summary>
    private static (byte[] Bytes, string Extension)? LargestImage(Page page, ExtractionOptions options)
    {
        foreach (var image in page.GetImages().OrderByDescending(image => (long)image.WidthInSamples * image.HeightInSamples))
        {
            // Before anything is decoded: the dictionary's declared size is what decoding would allocate.
            ImageSignature.EnsureWithinPixelLimit((image.WidthInSamples, image.HeightInSamples), options, $"An image on page {page.Number} of the PDF");
            try
            {
                if (ImageSignature.ExtensionOf(image.RawMemory.Span) is { } embedded)
                {
                    ImageSignature.EnsureWithinPixelLimit(ImageSignature.DimensionsOf(image.RawMemory.Span), options, $"An image on page {page.Number} of the PDF");
                    return (image.RawMemory.ToArray(), embedded);
                }

                if (image.TryGetPng(out var png))
                {
                    return (png, ".png");
                }
            }
            catch (Exception exception) when (ExtractionFailures.IsLibraryFailure(exception))
            {
                // An undecodable image (JBIG2, JPX, broken stream): try the next one.
            }
        }

        return null;
    }
}
