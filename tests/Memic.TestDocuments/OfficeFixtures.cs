using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using A = DocumentFormat.OpenXml.Drawing;
using P = DocumentFormat.OpenXml.Presentation;
using S = DocumentFormat.OpenXml.Spreadsheet;
using W = DocumentFormat.OpenXml.Wordprocessing;

namespace Memic.TestDocuments;

/// <summary>Writes real DOCX, PPTX and XLSX packages with the OpenXML SDK.</summary>
public static class OfficeFixtures
{
    /// <summary>Content for one Word page, in order.</summary>
    public abstract record DocxItem;

    public sealed record DocxHeading(string Text, int Level) : DocxItem;

    public sealed record DocxParagraph(string Text) : DocxItem;

    public sealed record DocxListItem(string Text, int Level) : DocxItem;

    public sealed record DocxTable(IReadOnlyList<IReadOnlyList<string>> Rows) : DocxItem;

    public sealed record DocxPageBreak : DocxItem;

    /// <summary>A paragraph that starts with the marker Word writes where it last laid out a page end.</summary>
    public sealed record DocxRenderedBreakParagraph(string Text) : DocxItem;

    public static byte[] Docx(IEnumerable<DocxItem> items, string? title = null)
    {
        using var stream = new MemoryStream();
        using (var document = WordprocessingDocument.Create(stream, WordprocessingDocumentType.Document))
        {
            var main = document.AddMainDocumentPart();
            var stylesPart = main.AddNewPart<StyleDefinitionsPart>();
            stylesPart.Styles = new W.Styles(
                ParagraphStyle("Normal", "Normal", null),
                ParagraphStyle("Title", "Title", null),
                ParagraphStyle("Heading1", "heading 1", 0),
                ParagraphStyle("Heading2", "heading 2", 1),
                ParagraphStyle("ListParagraph", "List Paragraph", null));

            var body = new W.Body();
            foreach (var item in items)
            {
                body.Append(item switch
                {
                    DocxHeading heading => StyledParagraph(heading.Level == 0 ? "Title" : $"Heading{heading.Level}", heading.Text),
                    DocxParagraph paragraph => new W.Paragraph(new W.Run(new W.Text(paragraph.Text))),
                    DocxListItem listItem => new W.Paragraph(
                        new W.ParagraphProperties(
                            new W.ParagraphStyleId { Val = "ListParagraph" },
                            new W.NumberingProperties(new W.NumberingLevelReference { Val = listItem.Level }, new W.NumberingId { Val = 1 })),
                        new W.Run(new W.Text(listItem.Text))),
                    DocxTable table => Table(table.Rows),
                    DocxPageBreak => new W.Paragraph(new W.Run(new W.Break { Type = W.BreakValues.Page })),
                    DocxRenderedBreakParagraph rendered => new W.Paragraph(new W.Run(new W.LastRenderedPageBreak(), new W.Text(rendered.Text))),
                    _ => throw new ArgumentOutOfRangeException(nameof(items)),
                });
            }

            body.Append(new W.SectionProperties());
            main.Document = new W.Document(body);
            if (title is not null)
            {
                document.PackageProperties.Title = title;
            }
        }

        return stream.ToArray();
    }

    /// <summary>A Word document whose body wraps a paragraph in <paramref name="depth"/> nested content controls.</summary>
    public static byte[] DocxWithNestedContentControls(int depth, string innermostText)
    {
        var nested = new System.Text.StringBuilder();
        nested.Insert(0, "<w:sdt><w:sdtContent>", depth);
        nested.Append("<w:p><w:r><w:t>").Append(innermostText).Append("</w:t></w:r></w:p>");
        nested.Insert(nested.Length, "</w:sdtContent></w:sdt>", depth);

        using var stream = new MemoryStream();
        using (var document = WordprocessingDocument.Create(stream, WordprocessingDocumentType.Document))
        {
            var main = document.AddMainDocumentPart();
            using var writer = new StreamWriter(main.GetStream(FileMode.Create));
            writer.Write("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
            writer.Write("<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>");
            writer.Write(nested.ToString());
            writer.Write("</w:body></w:document>");
        }

        return stream.ToArray();
    }

    private static W.Style ParagraphStyle(string id, string name, int? outlineLevel)
    {
        var style = new W.Style(new W.StyleName { Val = name }) { Type = W.StyleValues.Paragraph, StyleId = id };
        if (outlineLevel is { } level)
        {
            style.Append(new W.StyleParagraphProperties(new W.OutlineLevel { Val = level }));
        }

        return style;
    }

    private static W.Paragraph StyledParagraph(string styleId, string text) =>
        new(new W.ParagraphProperties(new W.ParagraphStyleId { Val = styleId }), new W.Run(new W.Text(text)));

    private static W.Table Table(IReadOnlyList<IReadOnlyList<string>> rows)
    {
        var table = new W.Table(new W.TableProperties(new W.TableBorders()));
        foreach (var row in rows)
        {
            table.Append(new W.TableRow(row.Select(cell => new W.TableCell(new W.Paragraph(new W.Run(new W.Text(cell)))))));
        }

        return table;
    }

    /// <summary>One slide: title (null for none), body paragraphs, optional table rows and speaker notes.</summary>
    public sealed record TestSlide(string? Title, IReadOnlyList<string> Body, IReadOnlyList<IReadOnlyList<string>>? Table = null, string? Notes = null);

    public static byte[] Pptx(IReadOnlyList<TestSlide> slides)
    {
        using var stream = new MemoryStream();
        using (var document = PresentationDocument.Create(stream, PresentationDocumentType.Presentation))
        {
            var presentationPart = document.AddPresentationPart();
            var slideIdList = new P.SlideIdList();
            presentationPart.Presentation = new P.Presentation(slideIdList, new P.SlideSize { Cx = 9144000, Cy = 6858000 }, new P.NotesSize { Cx = 6858000, Cy = 9144000 });

            uint slideId = 256;
            foreach (var slide in slides)
            {
                var slidePart = presentationPart.AddNewPart<SlidePart>();
                var shapeTree = new P.ShapeTree(
                    new P.NonVisualGroupShapeProperties(
                        new P.NonVisualDrawingProperties { Id = 1, Name = string.Empty },
                        new P.NonVisualGroupShapeDrawingProperties(),
                        new P.ApplicationNonVisualDrawingProperties()),
                    new P.GroupShapeProperties());
                uint shapeId = 2;
                if (slide.Title is not null)
                {
                    shapeTree.Append(TextShape(shapeId++, P.PlaceholderValues.Title, [slide.Title]));
                }

                shapeTree.Append(TextShape(shapeId++, P.PlaceholderValues.Body, slide.Body));
                if (slide.Table is not null)
                {
                    shapeTree.Append(TableFrame(shapeId++, slide.Table));
                }

                slidePart.Slide = new P.Slide(new P.CommonSlideData(shapeTree));
                if (slide.Notes is not null)
                {
                    var notesPart = slidePart.AddNewPart<NotesSlidePart>();
                    notesPart.NotesSlide = new P.NotesSlide(new P.CommonSlideData(new P.ShapeTree(
                        new P.NonVisualGroupShapeProperties(
                            new P.NonVisualDrawingProperties { Id = 1, Name = string.Empty },
                            new P.NonVisualGroupShapeDrawingProperties(),
                            new P.ApplicationNonVisualDrawingProperties()),
                        new P.GroupShapeProperties(),
                        TextShape(2, P.PlaceholderValues.SlideImage, []),
                        TextShape(3, P.PlaceholderValues.Body, [slide.Notes]))));
                }

                slideIdList.Append(new P.SlideId { Id = slideId++, RelationshipId = presentationPart.GetIdOfPart(slidePart) });
            }
        }

        return stream.ToArray();
    }

    private static P.Shape TextShape(uint id, P.PlaceholderValues placeholder, IEnumerable<string> paragraphs)
    {
        var textBody = new P.TextBody(new A.BodyProperties(), new A.ListStyle());
        foreach (var paragraph in paragraphs)
        {
            textBody.Append(new A.Paragraph(new A.Run(new A.RunProperties { Language = "en-US" }, new A.Text(paragraph))));
        }

        if (!textBody.Elements<A.Paragraph>().Any())
        {
            textBody.Append(new A.Paragraph());
        }

        return new P.Shape(
            new P.NonVisualShapeProperties(
                new P.NonVisualDrawingProperties { Id = id, Name = $"Shape {id}" },
                new P.NonVisualShapeDrawingProperties(),
                new P.ApplicationNonVisualDrawingProperties(new P.PlaceholderShape { Type = placeholder })),
            new P.ShapeProperties(),
            textBody);
    }

    private static P.GraphicFrame TableFrame(uint id, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        var table = new A.Table(new A.TableProperties(), new A.TableGrid(rows[0].Select(_ => new A.GridColumn { Width = 1000000 })));
        foreach (var row in rows)
        {
            table.Append(new A.TableRow(row.Select(cell => new A.TableCell(
                new A.TextBody(new A.BodyProperties(), new A.ListStyle(), new A.Paragraph(new A.Run(new A.Text(cell)))),
                new A.TableCellProperties()))) { Height = 370840 });
        }

        return new P.GraphicFrame(
            new P.NonVisualGraphicFrameProperties(
                new P.NonVisualDrawingProperties { Id = id, Name = $"Table {id}" },
                new P.NonVisualGraphicFrameDrawingProperties(),
                new P.ApplicationNonVisualDrawingProperties()),
            new P.Transform(new A.Offset { X = 0, Y = 0 }, new A.Extents { Cx = 0, Cy = 0 }),
            new A.Graphic(new A.GraphicData(table) { Uri = "http://schemas.openxmlformats.org/drawingml/2006/table" }));
    }

    /// <summary>A cell to write: text (shared string), inline text, a number, or a date (stored as a serial with a date style).</summary>
    public abstract record XlsxCell;

    public sealed record SharedText(string Text) : XlsxCell;

    public sealed record InlineText(string Text) : XlsxCell;

    public sealed record Number(double Value) : XlsxCell;

    public sealed record Date(DateTime Value) : XlsxCell;

    public sealed record Percent(double Value) : XlsxCell;

    public sealed record TestSheet(string Name, IReadOnlyList<IReadOnlyList<XlsxCell?>> Rows);

    public static byte[] Xlsx(IReadOnlyList<TestSheet> sheets)
    {
        using var stream = new MemoryStream();
        using (var document = SpreadsheetDocument.Create(stream, SpreadsheetDocumentType.Workbook))
        {
            var workbookPart = document.AddWorkbookPart();
            var sheetsElement = new S.Sheets();
            workbookPart.Workbook = new S.Workbook(sheetsElement);

            var stylesPart = workbookPart.AddNewPart<WorkbookStylesPart>();
            stylesPart.Stylesheet = new S.Stylesheet(
                new S.Fonts(new S.Font()) { Count = 1 },
                new S.Fills(new S.Fill(new S.PatternFill { PatternType = S.PatternValues.None })) { Count = 1 },
                new S.Borders(new S.Border()) { Count = 1 },
                new S.CellFormats(
                    new S.CellFormat { NumberFormatId = 0 },
                    new S.CellFormat { NumberFormatId = 14, ApplyNumberFormat = true },
                    new S.CellFormat { NumberFormatId = 10, ApplyNumberFormat = true }) { Count = 3 });

            var sharedStrings = new List<string>();
            uint sheetId = 1;
            foreach (var sheet in sheets)
            {
                var worksheetPart = workbookPart.AddNewPart<WorksheetPart>();
                var sheetData = new S.SheetData();
                var rowNumber = 1u;
                foreach (var row in sheet.Rows)
                {
                    var rowElement = new S.Row { RowIndex = rowNumber };
                    for (var column = 0; column < row.Count; column++)
                    {
                        if (row[column] is { } cell)
                        {
                            rowElement.Append(Cell(cell, $"{(char)('A' + column)}{rowNumber}", sharedStrings));
                        }
                    }

                    sheetData.Append(rowElement);
                    rowNumber++;
                }

                worksheetPart.Worksheet = new S.Worksheet(sheetData);
                sheetsElement.Append(new S.Sheet { Name = sheet.Name, SheetId = sheetId++, Id = workbookPart.GetIdOfPart(worksheetPart) });
            }

            var sharedStringPart = workbookPart.AddNewPart<SharedStringTablePart>();
            sharedStringPart.SharedStringTable = new S.SharedStringTable(sharedStrings.Select(text => new S.SharedStringItem(new S.Text(text))));
        }

        return stream.ToArray();
    }

    private static S.Cell Cell(XlsxCell cell, string reference, List<string> sharedStrings) => cell switch
    {
        SharedText text => new S.Cell
        {
            CellReference = reference,
            DataType = S.CellValues.SharedString,
            CellValue = new S.CellValue(SharedIndex(text.Text, sharedStrings)),
        },
        InlineText text => new S.Cell(new S.InlineString(new S.Text(text.Text))) { CellReference = reference, DataType = S.CellValues.InlineString },
        Number number => new S.Cell { CellReference = reference, CellValue = new S.CellValue(number.Value) },
        Date date => new S.Cell { CellReference = reference, StyleIndex = 1, CellValue = new S.CellValue(date.Value.ToOADate()) },
        Percent percent => new S.Cell { CellReference = reference, StyleIndex = 2, CellValue = new S.CellValue(percent.Value) },
        _ => throw new ArgumentOutOfRangeException(nameof(cell)),
    };

    private static int SharedIndex(string text, List<string> sharedStrings)
    {
        var index = sharedStrings.IndexOf(text);
        if (index >= 0)
        {
            return index;
        }

        sharedStrings.Add(text);
        return sharedStrings.Count - 1;
    }
}
