using System.Globalization;
using System.Text;
using System.Text.Json;
using Memic.Core.Errors;

namespace Memic.Core.Search;

/// <summary>
/// A file's custom metadata as the index sees it: its top-level scalar values, each one exact-match term <c>key=value</c>.
/// The key's own '%' and '=' are percent-escaped, so the first '=' always ends the key and no two different pairs share a
/// term ("a=b"→"c" and "a"→"b=c" stay apart). Upload validation and the Azure AI Search adapter both build terms here,
/// so what init accepts is exactly what the index accepts.
/// </summary>
public static class MetadataTerms
{
    /// <summary>Azure AI Search refuses a document holding a term longer than this many UTF-8 bytes.</summary>
    public const int MaxTermBytes = 32_766;

    public static string Encode(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        return string.Concat(key.Replace("%", "%25", StringComparison.Ordinal).Replace("=", "%3D", StringComparison.Ordinal), "=", value);
    }

    public static KeyValuePair<string, string> Decode(string term)
    {
        ArgumentNullException.ThrowIfNull(term);
        var separator = term.IndexOf('=', StringComparison.Ordinal);
        if (separator < 0)
        {
            throw new FormatException("A stored metadata pair has no '=' separator.");
        }

        var key = term[..separator].Replace("%3D", "=", StringComparison.Ordinal).Replace("%25", "%", StringComparison.Ordinal);
        return new KeyValuePair<string, string>(key, term[(separator + 1)..]);
    }

    /// <summary>Top-level scalar values of the metadata, as strings (numbers and booleans as written); the rest is not indexed.</summary>
    public static Dictionary<string, string> ScalarValues(JsonElement? metadata)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (metadata is { ValueKind: JsonValueKind.Object } obj)
        {
            foreach (var property in obj.EnumerateObject())
            {
                var value = property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString(),
                    JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => property.Value.GetRawText(),
                    _ => null,
                };
                if (value is not null)
                {
                    values[property.Name] = value;
                }
            }
        }

        return values;
    }

    /// <summary>One 422 item per metadata entry whose term would exceed <see cref="MaxTermBytes"/>, located at the key.</summary>
    public static IReadOnlyList<FieldError> CheckLengths(JsonElement? metadata)
    {
        var errors = new List<FieldError>();
        foreach (var (key, value) in ScalarValues(metadata))
        {
            var bytes = Encoding.UTF8.GetByteCount(Encode(key, value));
            if (bytes > MaxTermBytes)
            {
                errors.Add(new FieldError(
                    ["body", "metadata", key],
                    string.Create(CultureInfo.InvariantCulture,
                        $"This metadata entry is indexed as one 'key=value' term of {bytes} UTF-8 bytes; the search index accepts at most {MaxTermBytes}."),
                    "string_too_long"));
            }
        }

        return errors;
    }
}
