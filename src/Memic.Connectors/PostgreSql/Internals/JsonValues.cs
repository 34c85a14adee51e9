using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Memic.Connectors.PostgreSql.Internals;

/// <summary>
/// A database value as JSON: numbers as numbers, booleans as booleans, timestamps as ISO 8601 (with <c>Z</c> for
/// <c>timestamptz</c>), json/jsonb as the JSON itself, arrays as arrays, bytes as base64, NULL as null, and the rest as text.
/// </summary>
internal static class JsonValues
{
    public static JsonNode? From(object? value, string dataTypeName) => value switch
    {
        null or DBNull => null,
        bool b => JsonValue.Create(b),
        short or int or long or byte or sbyte or ushort or uint or ulong => JsonValue.Create(Convert.ToInt64(value, CultureInfo.InvariantCulture)),
        decimal d => JsonValue.Create(d),
        BigInteger i => JsonNode.Parse(i.ToString(CultureInfo.InvariantCulture)),
        double d => double.IsFinite(d) ? JsonValue.Create(d) : JsonValue.Create(d.ToString(CultureInfo.InvariantCulture)),
        float f => float.IsFinite(f) ? JsonValue.Create(f) : JsonValue.Create(f.ToString(CultureInfo.InvariantCulture)),
        string s when dataTypeName is "json" or "jsonb" => Parse(s),
        string s => JsonValue.Create(s),
        char c => JsonValue.Create(c.ToString()),
        DateTime t when t.Kind == DateTimeKind.Utc => JsonValue.Create(t.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture)),
        DateTime t => JsonValue.Create(t.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture)),
        DateTimeOffset t => JsonValue.Create(t.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture)),
        DateOnly d => JsonValue.Create(d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
        TimeOnly t => JsonValue.Create(t.ToString("HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture)),
        TimeSpan t => JsonValue.Create(t.ToString("c", CultureInfo.InvariantCulture)),
        Guid g => JsonValue.Create(g.ToString("D")),
        byte[] bytes => JsonValue.Create(Convert.ToBase64String(bytes)),
        JsonDocument document => JsonNode.Parse(document.RootElement.GetRawText()),
        IEnumerable items => new JsonArray([.. items.Cast<object?>().Select(v => From(v, ""))]),
        IFormattable formattable => JsonValue.Create(formattable.ToString(null, CultureInfo.InvariantCulture)),
        _ => JsonValue.Create(value.ToString()),
    };

    private static JsonNode? Parse(string json)
    {
        try
        {
            return JsonNode.Parse(json);
        }
        catch (JsonException)
        {
            return JsonValue.Create(json);
        }
    }
}
