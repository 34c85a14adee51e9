using System.Text.Json;
using Memic.Core.Errors;

namespace Memic.Http.Requests;

/// <summary>
/// Finds strings in parsed JSON that cannot become .NET strings. JSON's grammar lets <c>"\ud800"</c> through, but
/// reading it throws; found up front, it is the caller's 422 rather than a 500 wherever the value is read later.
/// </summary>
internal static class JsonText
{
    private const string Message = "String should be valid Unicode: it holds an unpaired UTF-16 surrogate escape.";

    public static List<FieldError> FindInvalidStrings(JsonElement element, IReadOnlyList<string> location)
    {
        var errors = new List<FieldError>();
        Visit(element, [.. location], errors);
        return errors;
    }

    // Recursion is bounded by the parser's MaxDepth.
    private static void Visit(JsonElement element, List<string> location, List<FieldError> errors)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String when !IsReadable(element):
                errors.Add(new FieldError([.. location], Message, "string_unicode"));
                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (!TryName(property, out var name))
                    {
                        errors.Add(new FieldError([.. location], "Object keys should be valid Unicode: one holds an unpaired UTF-16 surrogate escape.", "string_unicode"));
                        continue;
                    }

                    location.Add(name);
                    Visit(property.Value, location, errors);
                    location.RemoveAt(location.Count - 1);
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    location.Add(index++.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    Visit(item, location, errors);
                    location.RemoveAt(location.Count - 1);
                }

                break;
        }
    }

    private static bool IsReadable(JsonElement element)
    {
        try
        {
            _ = element.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static bool TryName(JsonProperty property, out string name)
    {
        try
        {
            name = property.Name;
            return true;
        }
        catch (InvalidOperationException)
        {
            name = "";
            return false;
        }
    }
}
