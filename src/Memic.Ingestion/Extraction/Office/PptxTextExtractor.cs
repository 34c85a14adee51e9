using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using Memic.Ingestion.Extraction.Internals;
using A = DocumentFormat.OpenXml.Drawing;
using P = DocumentFormat.OpenXml.Presentation;

namespace Memic.Ingestion.Extraction.Office;

/// <summary>
/// Reads PowerPoint decks: one page per slide in presentation order (hidden slides included, so page
/// numbers match the slide numbers people see), the title as a level-1 heading, body text, tables,
/// and speaker notes under a level-2 "Speaker notes" heading.
/// </summary>
/// <remarks>
/// A slide without a title placeholder gets the heading "Slide N", so its chunks are not filed under
/// the previous slide's title. Dates, footers and slide-number placeholders are left out as boilerplate.
/// </remarks>
public sealed class PptxTextExtractor(ExtractionOptions? options = null) : OpenXmlTextExtractor<PresentationDocument>(options)
{
    public override string FormatName => "PPTX";

    public override IReadOnlyList<string> MimeTypes { get; } = ["application/vnd.openxmlformats-officedocument.presentationml.presentation"];

    public override IReadOnlyList<string> FileExtensions { get; } = [".pptx"];

    protected override PresentationDocument Open(Stream stream, OpenSettings settings) => PresentationDocument.Open(stream, isEditable: false, settings);


    protected override ExtractedDocument Read(PresentationDocument presentation, CancellationToken cancellationToken)
    {
        var presentationPart = presentation.PresentationPart
            ?? throw new DocumentExtractionException(ExtractionFailureKind.Corrupt, "The file is not a valid PPTX document: it has no presentation part.");
        var slideIds = presentationPart.Presentation?.SlideIdList?.Elements<P.SlideId>().ToList() ?? [];
        if (slideIds.Count > Options.MaxPages)
        {
            throw new DocumentExtractionException(ExtractionFailureKind.LimitExceeded,
                $"The PPTX has more than {Options.MaxPages:N0} slides, the extraction limit.");
        }

        var builder = new ExtractedDocumentBuilder(Options, FormatName);
        var slideNumber = 0;
        foreach (var slideId in slideIds)
        {
            cancellationToken.ThrowIfCancellationRequested();
            slideNumber++;
            builder.StartPage(slideNumber);
            if (slideId.RelationshipId?.Value is not { } relationshipId
                || !presentationPart.TryGetPartById(relationshipId, out var part)
                || part is not SlidePart slidePart
                || slidePart.Slide?.CommonSlideData?.ShapeTree is not { } shapeTree)
            {
                continue;
            }

            var shapes = new List<OpenXmlElement>();
            CollectShapes(shapeTree, shapes);

            var title = shapes.OfType<P.Shape>().Where(IsTitle).Select(shape => ParagraphTexts(shape.TextBody))
                .Select(paragraphs => string.Join(' ', paragraphs.Select(paragraph => paragraph.Text)))
                .FirstOrDefault(text => !string.IsNullOrWhiteSpace(text));
            builder.AddHeading(title ?? $"Slide {slideNumber}", 1);

            foreach (var shape in shapes)
            {
                switch (shape)
                {
                    case P.Shape textShape when !IsTitle(textShape) && !IsBoilerplate(textShape):
                        AddShapeText(builder, textShape);
                        break;
                    case P.GraphicFrame frame:
                        AddTables(builder, frame);
                        break;
                    default:
                        break;
                }
            }

            AddSpeakerNotes(builder, slidePart);
        }

        return builder.Build(presentation.PackageProperties.Title);
    }

    private static void CollectShapes(OpenXmlElement container, List<OpenXmlElement> shapes)
    {
        foreach (var child in container.ChildElements)
        {
            switch (child)
            {
                case P.Shape or P.GraphicFrame:
                    shapes.Add(child);
                    break;
                case P.GroupShape group:
                    CollectShapes(group, shapes);
                    break;
                case AlternateContent alternate when alternate.FirstChild is { } choice:
                    CollectShapes(choice, shapes);
                    break;
                default:
                    break;
            }
        }
    }

    private static void AddShapeText(ExtractedDocumentBuilder builder, P.Shape shape)
    {
        var placeholder = Placeholder(shape);
        // Body and content placeholders are bulleted unless a paragraph says otherwise; text boxes are not.
        var bulletedByDefault = placeholder is not null
            && (placeholder.Type is null || placeholder.Type.Value == P.PlaceholderValues.Body || placeholder.Type.Value == P.PlaceholderValues.Object);
        foreach (var (text, level, bullet) in ParagraphTexts(shape.TextBody))
        {
            var isListItem = bullet ?? bulletedByDefault;
            if (isListItem)
            {
                builder.AddListItem(text, level);
            }
            else
            {
                builder.AddParagraph(text);
            }
        }
    }

    private static void AddTables(ExtractedDocumentBuilder builder, P.GraphicFrame frame)
    {
        foreach (var table in frame.Descendants<A.Table>())
        {
            foreach (var row in table.Elements<A.TableRow>())
            {
                builder.AddTableRow(row.Elements<A.TableCell>()
                    .Select(cell => string.Join(' ', ParagraphTexts(cell.TextBody).Select(paragraph => paragraph.Text))));
            }
        }
    }

    private static void AddSpeakerNotes(ExtractedDocumentBuilder builder, SlidePart slidePart)
    {
        var shapeTree = slidePart.NotesSlidePart?.NotesSlide?.CommonSlideData?.ShapeTree;
        if (shapeTree is null)
        {
            return;
        }

        var notes = shapeTree.Descendants<P.Shape>()
            .Where(shape => Placeholder(shape)?.Type?.Value == P.PlaceholderValues.Body)
            .SelectMany(shape => ParagraphTexts(shape.TextBody))
            .Where(paragraph => !string.IsNullOrWhiteSpace(paragraph.Text))
            .ToList();
        if (notes.Count == 0)
        {
            return;
        }

        builder.AddHeading("Speaker notes", 2);
        foreach (var note in notes)
        {
            builder.AddParagraph(note.Text);
        }
    }

    private static P.PlaceholderShape? Placeholder(P.Shape shape) =>
        shape.NonVisualShapeProperties?.ApplicationNonVisualDrawingProperties?.PlaceholderShape;

    private static bool IsTitle(P.Shape shape) =>
        Placeholder(shape)?.Type?.Value is { } type && (type == P.PlaceholderValues.Title || type == P.PlaceholderValues.CenteredTitle);

    private static bool IsBoilerplate(P.Shape shape) =>
        Placeholder(shape)?.Type?.Value is { } type
        && (type == P.PlaceholderValues.DateAndTime || type == P.PlaceholderValues.Footer
            || type == P.PlaceholderValues.SlideNumber || type == P.PlaceholderValues.Header);

    /// <summary>The text of each a:p with its indent level and, when the paragraph says so explicitly, whether it is bulleted.</summary>
    private static IEnumerable<(string Text, int Level, bool? Bullet)> ParagraphTexts(OpenXmlElement? textBody)
    {
        if (textBody is null)
        {
            yield break;
        }

        foreach (var paragraph in textBody.Elements<A.Paragraph>())
        {
            var text = new StringBuilder();
            foreach (var child in paragraph.ChildElements)
            {
                switch (child)
                {
                    case A.Run run:
                        text.Append(run.Text?.Text);
                        break;
                    case A.Field field:
                        text.Append(field.Text?.Text);
                        break;
                    case A.Break:
                        text.Append('\n');
                        break;
                    default:
                        break;
                }
            }

            var properties = paragraph.ParagraphProperties;
            bool? bullet = properties?.GetFirstChild<A.NoBullet>() is not null ? false
                : properties?.GetFirstChild<A.CharacterBullet>() is not null || properties?.GetFirstChild<A.AutoNumberedBullet>() is not null ? true
                : null;
            yield return (text.ToString(), properties?.Level?.Value ?? 0, bullet);
        }
    }
}
