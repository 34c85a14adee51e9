using System.Globalization;
using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Memic.Ingestion.Extraction.Internals;

namespace Memic.Ingestion.Extraction.Office;

/// <summary>
/// Reads Excel workbooks: one page per sheet in workbook order (chart sheets keep their page number but
/// have no text), the sheet name as a level-1 heading, and each non-empty row as "A | B | C" with
/// shared and inline strings resolved, dates as ISO 8601, percentages with "%", other numbers in
/// shortest round-trip form. Cell values are the cached results Excel saved, never re-computed formulas.
/// </summary>
/// <remarks>Worksheets are streamed row by row, so a large sheet does not have to fit in memory as a DOM.</remarks>
public sealed class XlsxTextExtractor(ExtractionOptions? options = null) : OpenXmlTextExtractor<SpreadsheetDocument>(options)
{
    private const int MaxColumns = 16_384;

    // Built-in number formats that Excel shows as dates and/or times (ECMA-376 §18.8.30, plus East Asian ids).
    private static readonly HashSet<uint> BuiltInDateFormats = [14, 15, 16, 17, 22, 27, 28, 29, 30, 31, 34, 35, 36, 50, 51, 52, 53, 54, 57, 58];
    private static readonly HashSet<uint> BuiltInTimeFormats = [18, 19, 20, 21, 22, 32, 33, 45, 46, 47, 55, 56];
    private static readonly HashSet<uint> BuiltInPercentFormats = [9, 10];

    public override string FormatName => "XLSX";

    public override IReadOnlyList<string> MimeTypes { get; } = ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"];

    public override IReadOnlyList<string> FileExtensions { get; } = [".xlsx"];

    protected override SpreadsheetDocument Open(Stream stream, OpenSettings settings) => SpreadsheetDocument.Open(stream, isEditable: false, settings);


    protected override ExtractedDocument Read(SpreadsheetDocument workbook, CancellationToken cancellationToken)
    {
        var workbookPart = workbook.WorkbookPart
            ?? throw new DocumentExtractionException(ExtractionFailureKind.Corrupt, "The file is not a valid XLSX document: it has no workbook part.");
        var sheets = workbookPart.Workbook?.Sheets?.Elements<Sheet>().ToList() ?? [];
        var sharedStrings = ReadSharedStrings(workbookPart, cancellationToken);
        var formats = CellFormats.Read(workbookPart);
        var builder = new ExtractedDocumentBuilder(Options, FormatName);

        var sheetNumber = 0;
        foreach (var sheet in sheets)
        {
            sheetNumber++;
            builder.StartPage(sheetNumber);
            if (sheet.Id?.Value is not { } relationshipId
                || !workbookPart.TryGetPartById(relationshipId, out var part)
                || part is not WorksheetPart worksheetPart)
            {
                continue;
            }

            builder.AddHeading(sheet.Name?.Value ?? $"Sheet {sheetNumber}", 1);
            using var reader = OpenXmlReader.Create(worksheetPart);
            while (reader.Read())
            {
                if (reader.ElementType == typeof(Row) && reader.IsStartElement)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var row = (Row)reader.LoadCurrentElement()!;
                    builder.AddTableRow(RowCells(row, sharedStrings, formats));
                }
            }
        }

        return builder.Build(workbook.PackageProperties.Title);
    }

    private List<string> ReadSharedStrings(WorkbookPart workbookPart, CancellationToken cancellationToken)
    {
        var strings = new List<string>();
        if (workbookPart.SharedStringTablePart is not { } part)
        {
            return strings;
        }

        long characters = 0;
        using var reader = OpenXmlReader.Create(part);
        while (reader.Read())
        {
            if (reader.ElementType == typeof(SharedStringItem) && reader.IsStartElement)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var text = StringItemText((SharedStringItem)reader.LoadCurrentElement()!);
                characters += text.Length;
                if (characters > Options.MaxExtractedCharacters)
                {
                    throw new DocumentExtractionException(ExtractionFailureKind.LimitExceeded,
                        $"The XLSX has more than {Options.MaxExtractedCharacters:N0} characters of text, the extraction limit.");
                }

                strings.Add(text);
            }
        }

        return strings;
    }

    // Plain text sits in <t>; rich text in runs <r><t>. Phonetic guides (<rPh>) are left out.
    private static string StringItemText(OpenXmlElement item) =>
        string.Concat(item.Elements<Text>().Select(text => text.Text))
        + string.Concat(item.Elements<Run>().Select(run => run.Text?.Text));

    private static List<string> RowCells(Row row, List<string> sharedStrings, CellFormats formats)
    {
        var cells = new List<string>();
        foreach (var cell in row.Elements<Cell>())
        {
            var column = ColumnIndex(cell.CellReference?.Value) ?? cells.Count;
            if (column >= MaxColumns || column < cells.Count)
            {
                continue;
            }

            while (cells.Count < column)
            {
                cells.Add(string.Empty);
            }

            cells.Add(CellText(cell, sharedStrings, formats));
        }

        return cells;
    }

    private static string CellText(Cell cell, List<string> sharedStrings, CellFormats formats)
    {
        var raw = cell.CellValue?.Text;
        var type = cell.DataType?.Value;
        if (type == CellValues.InlineString)
        {
            return cell.InlineString is { } inline ? StringItemText(inline) : string.Empty;
        }

        if (raw is null)
        {
            return string.Empty;
        }

        if (type == CellValues.SharedString)
        {
            return int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var index) && index >= 0 && index < sharedStrings.Count
                ? sharedStrings[index]
                : string.Empty;
        }

        if (type == CellValues.Boolean)
        {
            return raw == "1" ? "TRUE" : "FALSE";
        }

        if (type == CellValues.String || type == CellValues.Error || type == CellValues.Date)
        {
            return raw;
        }

        return double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            ? formats.Format(number, cell.StyleIndex?.Value ?? 0)
            : raw;
    }

    /// <summary>Zero-based column of a reference like "AB12"; null when there is none.</summary>
    internal static int? ColumnIndex(string? reference)
    {
        if (string.IsNullOrEmpty(reference))
        {
            return null;
        }

        var column = 0;
        var letters = 0;
        foreach (var character in reference)
        {
            var upper = char.ToUpperInvariant(character);
            if (upper is < 'A' or > 'Z')
            {
                break;
            }

            column = (column * 26) + (upper - 'A' + 1);
            letters++;
            if (letters > 3)
            {
                return MaxColumns;
            }
        }

        return letters == 0 ? null : column - 1;
    }

    /// <summary>How each cell style shows numbers: as a date, a time, a percentage or plain.</summary>
    private sealed class CellFormats
    {
        private readonly List<(bool Date, bool Time, bool Percent)> _styles;

        private CellFormats(List<(bool Date, bool Time, bool Percent)> styles) => _styles = styles;

        public static CellFormats Read(WorkbookPart workbookPart)
        {
            var stylesheet = workbookPart.WorkbookStylesPart?.Stylesheet;
            var customCodes = new Dictionary<uint, string>();
            foreach (var format in stylesheet?.NumberingFormats?.Elements<NumberingFormat>() ?? [])
            {
                if (format.NumberFormatId?.Value is { } id && format.FormatCode?.Value is { } code)
                {
                    customCodes[id] = code;
                }
            }

            var styles = new List<(bool, bool, bool)>();
            foreach (var cellFormat in stylesheet?.CellFormats?.Elements<CellFormat>() ?? [])
            {
                var id = cellFormat.NumberFormatId?.Value ?? 0;
                styles.Add(customCodes.TryGetValue(id, out var code)
                    ? Classify(code)
                    : (BuiltInDateFormats.Contains(id), BuiltInTimeFormats.Contains(id), BuiltInPercentFormats.Contains(id)));
            }

            return new CellFormats(styles);
        }

        public string Format(double number, uint styleIndex)
        {
            var (date, time, percent) = styleIndex < _styles.Count ? _styles[(int)styleIndex] : (false, false, false);
            if ((date || time) && number is > -657435 and < 2958466)
            {
                var value = DateTime.FromOADate(number);
                return date && time ? value.ToString(value.Second == 0 ? "yyyy-MM-dd HH:mm" : "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)
                    : date ? value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
                    : value.ToString("HH:mm:ss", CultureInfo.InvariantCulture);
            }

            return percent
                ? (number * 100).ToString("G15", CultureInfo.InvariantCulture) + "%"
                : number.ToString("G15", CultureInfo.InvariantCulture);
        }

        /// <summary>Reads a custom format code, ignoring quoted literals, escapes and [colour]/[locale] tags.</summary>
        private static (bool Date, bool Time, bool Percent) Classify(string code)
        {
            var visible = new StringBuilder();
            var inQuotes = false;
            var inBrackets = false;
            for (var i = 0; i < code.Length; i++)
            {
                var character = code[i];
                if (inQuotes)
                {
                    inQuotes = character != '"';
                }
                else if (inBrackets)
                {
                    // Elapsed-time tags ([h], [mm], [ss]) are time parts; everything else in brackets is not.
                    if (character is 'h' or 'H' or 's' or 'S')
                    {
                        visible.Append('h');
                    }

                    inBrackets = character != ']';
                }
                else if (character == '"')
                {
                    inQuotes = true;
                }
                else if (character == '[')
                {
                    inBrackets = true;
                }
                else if (character is '\\' or '_' or '*')
                {
                    i++;
                }
                else
                {
                    visible.Append(char.ToLowerInvariant(character));
                }
            }

            var text = visible.ToString();
            var date = text.Contains('d', StringComparison.Ordinal) || text.Contains('y', StringComparison.Ordinal)
                || (text.Contains('m', StringComparison.Ordinal) && !text.Contains('h', StringComparison.Ordinal) && !text.Contains('s', StringComparison.Ordinal));
            var time = text.Contains('h', StringComparison.Ordinal) || text.Contains('s', StringComparison.Ordinal);
            return (date, time, text.Contains('%', StringComparison.Ordinal));
        }
    }
}
