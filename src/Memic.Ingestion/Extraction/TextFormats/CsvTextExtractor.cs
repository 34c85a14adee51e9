using System.Text;
using Memic.Ingestion.Extraction.Internals;

namespace Memic.Ingestion.Extraction.TextFormats;

/// <summary>
/// Reads CSV (RFC 4180: quoted fields may hold delimiters, doubled quotes and line breaks) as one page.
/// The first record is the header; every data row becomes one line "name: Alice | city: Paris", so a
/// chunk cut from the middle of a table still says what each value is. Empty values are left out.
/// The delimiter (comma, semicolon or tab) is taken from the header line.
/// </summary>
public sealed class CsvTextExtractor(ExtractionOptions? options = null) : IDocumentExtractor
{
    private readonly ExtractionOptions _options = options ?? ExtractionOptions.Default;

    public string FormatName => "CSV";

    public IReadOnlyList<string> MimeTypes { get; } = ["text/csv", "application/csv", "text/tab-separated-values"];

    public IReadOnlyList<string> FileExtensions { get; } = [".csv", ".tsv"];

    public async Task<ExtractedDocument> ExtractAsync(Stream content, CancellationToken cancellationToken)
    {
        var bytes = await InputBuffer.ReadAllAsync(content, _options, FormatName, cancellationToken);
        var text = TextDecoding.Decode(bytes, FormatName);
        var builder = new ExtractedDocumentBuilder(_options, FormatName);
        builder.StartPage(1);

        List<string>? header = null;
        var dataRows = 0;
        foreach (var record in ReadRecords(text, SniffDelimiter(text), _options))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (header is null)
            {
                header = record.Select((name, index) => name.Trim().Length == 0 ? $"column {index + 1}" : name.Trim()).ToList();
                continue;
            }

            dataRows++;
            var fields = record
                .Select((value, index) => (Name: index < header.Count ? header[index] : $"column {index + 1}", Value: value.Trim()))
                .Where(field => field.Value.Length > 0)
                .ToList();

            // Every line repeats the header names, so a long header multiplies: count before building the line.
            builder.EnsureRoomFor(fields.Sum(field => (long)field.Name.Length + field.Value.Length + 5));
            builder.AddLine(string.Join(" | ", fields.Select(field => $"{field.Name}: {field.Value}")));
        }

        if (header is not null && dataRows == 0)
        {
            builder.AddTableRow(header);
        }

        return builder.Build(title: null);
    }

    /// <summary>
    /// Splits CSV text into records; fails on a quoted field that never closes, which means a damaged file,
    /// and on a field or a record past <see cref="ExtractionOptions.MaxCsvFieldCharacters"/> or
    /// <see cref="ExtractionOptions.MaxCsvColumns"/>, checked as the text is read.
    /// </summary>
    internal static IEnumerable<List<string>> ReadRecords(string text, char delimiter, ExtractionOptions options)
    {
        var record = new List<string>();
        var field = new StringBuilder();
        var inQuotes = false;
        var fieldWasQuoted = false;
        var line = 1;
        var quoteStartLine = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var character = text[i];
            if (inQuotes)
            {
                if (character == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"')
                    {
                        field.Append('"');
                        i++;
                    }
                    else
                    {
                        inQuotes = false;
                    }
                }
                else
                {
                    if (character == '\n')
                    {
                        line++;
                    }

                    field.Append(character);
                    EnsureFieldWithinLimit(field, line, options);
                }

                continue;
            }

            if (character == '"' && field.Length == 0 && !fieldWasQuoted)
            {
                inQuotes = true;
                fieldWasQuoted = true;
                quoteStartLine = line;
            }
            else if (character == delimiter)
            {
                record.Add(field.ToString());
                field.Clear();
                fieldWasQuoted = false;
                if (record.Count >= options.MaxCsvColumns)
                {
                    throw new DocumentExtractionException(ExtractionFailureKind.LimitExceeded,
                        $"Line {line} of the CSV has more than {options.MaxCsvColumns:N0} columns, the extraction limit.");
                }
            }
            else if (character == '\n')
            {
                line++;
                record.Add(field.ToString());
                field.Clear();
                fieldWasQuoted = false;
                if (record.Count > 1 || record[0].Length > 0)
                {
                    yield return record;
                }

                record = [];
            }
            else
            {
                // Lenient like spreadsheet programs: a stray quote inside an unquoted field is kept as text.
                field.Append(character);
                EnsureFieldWithinLimit(field, line, options);
            }
        }

        if (inQuotes)
        {
            throw new DocumentExtractionException(ExtractionFailureKind.Corrupt,
                $"The CSV file is damaged: a quoted field that starts on line {quoteStartLine} is never closed.");
        }

        if (field.Length > 0 || record.Count > 0)
        {
            record.Add(field.ToString());
            yield return record;
        }
    }

    private static void EnsureFieldWithinLimit(StringBuilder field, int line, ExtractionOptions options)
    {
        if (field.Length > options.MaxCsvFieldCharacters)
        {
            throw new DocumentExtractionException(ExtractionFailureKind.LimitExceeded,
                $"A field on line {line} of the CSV is longer than {options.MaxCsvFieldCharacters:N0} characters, the extraction limit.");
        }
    }

    /// <summary>The most frequent of comma, semicolon and tab outside quotes on the first line; comma on a tie.</summary>
    internal static char SniffDelimiter(string text)
    {
        int commas = 0, semicolons = 0, tabs = 0;
        var inQuotes = false;
        foreach (var character in text)
        {
            if (character == '"')
            {
                inQuotes = !inQuotes;
            }
            else if (!inQuotes)
            {
                if (character == '\n')
                {
                    break;
                }

                commas += character == ',' ? 1 : 0;
                semicolons += character == ';' ? 1 : 0;
                tabs += character == '\t' ? 1 : 0;
            }
        }

        return tabs > commas && tabs >= semicolons ? '\t' : semicolons > commas ? ';' : ',';
    }
}
