using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Memic.Ingestion.Extraction.Internals;

namespace Memic.Ingestion.Extraction.TextFormats;

/// <summary>
/// Reads JSON as one page of "path: value" lines (<c>orders[0].customer.name: Alice</c>), so every value
/// keeps the keys that say what it is. Comments and trailing commas are tolerated; anything else that is
/// not valid JSON fails with the line and position of the error.
/// </summary>
public sealed partial class JsonTextExtractor(ExtractionOptions? options = null) : IDocumentExtractor
{
    private const int MaxDepth = 256;

    private readonly ExtractionOptions _options = options ?? ExtractionOptions.Default;

    public string FormatName => "JSON";

    public IReadOnlyList<string> MimeTypes { get; } = ["application/json", "text/json"];

    public IReadOnlyList<string> FileExtensions { get; } = [".json"];

    public async Task<ExtractedDocument> ExtractAsync(Stream content, CancellationToken cancellationToken)
    {
        var bytes = await InputBuffer.ReadAllAsync(content, _options, FormatName, cancellationToken);
        var text = TextDecoding.Decode(bytes, FormatName);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, new JsonDocumentOptions
            {
                AllowTrailingCommas = true,
                CommentHandling = JsonCommentHandling.Skip,
                MaxDepth = MaxDepth,
            });
        }
        catch (JsonException exception)
        {
            var where = exception.LineNumber is { } lineNumber
                ? $" (line {lineNumber + 1}, position {(exception.BytePositionInLine ?? 0) + 1})"
                : string.Empty;
            throw new DocumentExtractionException(ExtractionFailureKind.Corrupt, $"The file is not valid JSON{where}.", exception);
        }

        using (document)
        {
            var builder = new ExtractedDocumentBuilder(_options, FormatName);
            builder.StartPage(1);
            Flatten(document.RootElement, string.Empty, builder, cancellationToken);
            return builder.Build(title: null);
        }
    }

    private static void Flatten(JsonElement element, string path, ExtractedDocumentBuilder builder, CancellationToken cancellationToken)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var hasProperties = false;
                foreach (var property in element.EnumerateObject())
                {
                    hasProperties = true;
                    var name = PlainKey().IsMatch(property.Name) ? property.Name : JsonSerializer.Serialize(property.Name);
                    var childPath = path.Length == 0 ? name
                        : PlainKey().IsMatch(property.Name) ? $"{path}.{name}"
                        : $"{path}[{name}]";
                    Flatten(property.Value, childPath, builder, cancellationToken);
                }

                if (!hasProperties && path.Length > 0)
                {
                    builder.AddLine($"{path}: {{}}");
                }

                break;
            case JsonValueKind.Array:
                cancellationToken.ThrowIfCancellationRequested();
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Flatten(item, $"{path}[{index.ToString(CultureInfo.InvariantCulture)}]", builder, cancellationToken);
                    index++;
                }

                if (index == 0 && path.Length > 0)
                {
                    builder.AddLine($"{path}: []");
                }

                break;
            default:
                var value = element.ValueKind switch
                {
                    JsonValueKind.String => element.GetString() ?? string.Empty,
                    JsonValueKind.Null => "null",
                    _ => element.GetRawText(),
                };
                builder.AddLine(path.Length == 0 ? value : $"{path}: {value}");
                break;
        }
    }

    [GeneratedRegex(@"^[\p{L}\p{N}_\-]+$")]
    private static partial Regex PlainKey();
}
