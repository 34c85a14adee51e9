using System.Globalization;
using System.Text.Json;
using System.Text;
using Memic.Ingestion.Extraction.Internals;

namespace Memic.Ingestion.Extraction.TextFormats;

/// <summary>
/// Reads JSON as one page of "path: value" lines (<c>orders[0].customer.name: Alice</c>), so every value
/// keeps the keys that say what it is. Comments and trailing commas are tolerated; anything else that is
/// not valid JSON fails with the line and position of the error.
/// </summary>
public sealed class JsonTextExtractor(ExtractionOptions? options = null) : IDocumentExtractor
{
    private readonly ExtractionOptions _options = options ?? ExtractionOptions.Default;

    public string FormatName => "JSON";

    public IReadOnlyList<string> MimeTypes { get; } = ["application/json", "text/json"];

    public IReadOnlyList<string> FileExtensions { get; } = [".json"];

    public async Task<ExtractedDocument> ExtractAsync(Stream content, CancellationToken cancellationToken)
    {
        var bytes = await InputBuffer.ReadAllAsync(content, _options, FormatName, cancellationToken);
        var utf8 = Encoding.UTF8.GetBytes(TextDecoding.Decode(bytes, FormatName));
        var readerOptions = new JsonReaderOptions
        {
            AllowTrailingCommas = true,
            CommentHandling = JsonCommentHandling.Skip,
            MaxDepth = _options.MaxNestingDepth + 1,
        };
        JsonDocument document;
        try
        {
            EnsureWithinDepth(utf8, readerOptions, _options.MaxNestingDepth, cancellationToken);
            document = JsonDocument.Parse(utf8, new JsonDocumentOptions
            {
                AllowTrailingCommas = true,
                CommentHandling = JsonCommentHandling.Skip,
                MaxDepth = readerOptions.MaxDepth,
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

    /// <summary>
    /// One streaming pass that refuses nesting past the limit with its own message, before the document is
    /// built (the parser's depth error would otherwise read as a syntax error, and flattening recurses).
    /// </summary>
    private static void EnsureWithinDepth(byte[] utf8, JsonReaderOptions readerOptions, int maxDepth, CancellationToken cancellationToken)
    {
        var reader = new Utf8JsonReader(utf8, readerOptions);
        var tokens = 0;
        while (reader.Read())
        {
            if (reader.CurrentDepth >= maxDepth && reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                throw new DocumentExtractionException(ExtractionFailureKind.LimitExceeded,
                    $"The JSON nests values more than {maxDepth:N0} levels deep, the extraction limit.");
            }

            if ((++tokens & 0xFFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
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
                    var name = IsPlainKey(property.Name) ? property.Name : JsonSerializer.Serialize(property.Name);
                    var childPath = path.Length == 0 ? name
                        : IsPlainKey(property.Name) ? $"{path}.{name}"
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

    /// <summary>Whether a key can stand in a path unquoted: letters, digits, '_' and '-' only.</summary>
    private static bool IsPlainKey(string key)
    {
        foreach (var rune in key.EnumerateRunes())
        {
            if (!Rune.IsLetter(rune) && !Rune.IsNumber(rune) && rune.Value is not ('_' or '-'))
            {
                return false;
            }
        }

        return key.Length > 0;
    }
}
