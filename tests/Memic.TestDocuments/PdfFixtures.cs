using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace Memic.TestDocuments;

/// <summary>One page of a generated test document: a heading and body lines.</summary>
public sealed record TestPage(string Heading, IReadOnlyList<string> Lines);

/// <summary>Writes real PDFs with PdfPig's builder, using a standard font so no font file is needed.</summary>
public static class PdfFixtures
{
    public static byte[] TextPdf(IReadOnlyList<TestPage> pages)
    {
        using var builder = new PdfDocumentBuilder();
        var body = builder.AddStandard14Font(Standard14Font.Helvetica);
        var bold = builder.AddStandard14Font(Standard14Font.HelveticaBold);
        foreach (var page in pages)
        {
            var pdfPage = builder.AddPage(PageSize.A4);
            pdfPage.AddText(page.Heading, 20, new PdfPoint(50, 780), bold);
            var y = 740.0;
            foreach (var line in page.Lines)
            {
                pdfPage.AddText(line, 11, new PdfPoint(50, y), body);
                y -= 15;
            }
        }

        return builder.Build();
    }

    /// <summary>Pages that carry only a drawn rectangle: a valid PDF with no text layer and no image.</summary>
    public static byte[] PdfWithoutText(int pageCount)
    {
        using var builder = new PdfDocumentBuilder();
        for (var index = 0; index < pageCount; index++)
        {
            var page = builder.AddPage(PageSize.A4);
            page.DrawRectangle(new PdfPoint(100, 100), 200, 300, 2);
        }

        return builder.Build();
    }

    /// <summary>A scanned-style PDF: page <paramref name="imagePage"/> holds one full-width PNG and nothing else.</summary>
    public static byte[] PdfWithImagePage(int pageCount, int imagePage, byte[] png)
    {
        using var builder = new PdfDocumentBuilder();
        for (var number = 1; number <= pageCount; number++)
        {
            var page = builder.AddPage(PageSize.A4);
            if (number == imagePage)
            {
                page.AddPng(png, new PdfRectangle(40, 500, 560, 800));
            }
            else
            {
                page.DrawRectangle(new PdfPoint(100, 100), 200, 300, 2);
            }
        }

        return builder.Build();
    }
}
