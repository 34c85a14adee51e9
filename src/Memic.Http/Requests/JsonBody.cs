using System.Text.Json;
using Memic.Core.Errors;
using Microsoft.AspNetCore.Http;

namespace Memic.Http.Requests;

/// <summary>
/// A JSON request body read field by field. Malformed JSON is a 400 <c>bad_request</c>; every wrong type,
/// missing or out-of-range field, and every string that is not valid UTF-16 (a lone surrogate escape such as
/// <c>"\ud800"</c>), is collected and reported together as one 422 (CONTRACT §11).
/// </summary>
public sealed class JsonBody
{
    /// <summary>JSON bodies of Memic's routes are small; anything larger is refused before parsing.</summary>
    public const int MaxBytes = 1024 * 1024;

    private readonly JsonElement _root;
    private readonly List<FieldError> _errors;
    private readonly string[] _path;

    private JsonBody(JsonElement root, List<FieldError>? errors = null, string[]? path = null)
    {
        _root = root;
        _errors = errors ?? [];
        _path = path ?? ["body"];
    }

    /// <summary>The body's JSON object (empty for an empty body), for shapes the typed readers do not cover.</summary>
    public JsonElement Root => _root;

    public static async Task<JsonBody> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBytes)
        {
            throw new MemicException(ErrorKind.PayloadTooLarge, ErrorCodes.BadRequest, $"JSON bodies are limited to {MaxBytes} bytes.");
        }

        using var buffer = new MemoryStream();
        await CopyLimitedAsync(request.Body, buffer, cancellationToken);
        var bytes = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        if (bytes.Span.IndexOfAnyExcept(" \t\r\n"u8) < 0)
        {
            return new JsonBody(EmptyObject());
        }

        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 32 });
            root = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new BadRequestException(ErrorCodes.BadRequest, $"The request body is not valid JSON: {ex.Message}");
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new ValidationException([new FieldError(["body"], "Input should be a JSON object.", "model_attributes_type")]);
        }

        var invalidText = JsonText.FindInvalidStrings(root, ["body"]);
        return invalidText.Count > 0 ? throw new ValidationException(invalidText) : new JsonBody(root);
    }

    public string? ReadString(string field, bool required = false, int minLength = 0, int maxLength = int.MaxValue)
    {
        if (!TryGet(field, required, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            return FailClass<string>(field, "Input should be a valid string.", "string_type");
        }

        var text = value.GetString()!;
        if (text.Length < minLength)
        {
            return FailClass<string>(field, $"String should have at least {minLength} character{(minLength == 1 ? "" : "s")}.", "string_too_short");
        }

        return text.Length > maxLength
            ? FailClass<string>(field, $"String should have at most {maxLength} characters.", "string_too_long")
            : text;
    }

    public Guid? ReadUuid(string field, bool required = false)
    {
        if (!TryGet(field, required, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String && System.Guid.TryParse(value.GetString(), out var id)
            ? id
            : FailStruct<Guid>(field, "Input should be a valid UUID.", "uuid_parsing");
    }

    public int? ReadInt(string field, int min, int max, bool required = false)
    {
        if (!TryGet(field, required, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var number))
        {
            return FailStruct<int>(field, "Input should be a valid integer.", "int_type");
        }

        if (number < min)
        {
            return FailStruct<int>(field, $"Input should be greater than or equal to {min}.", "greater_than_equal");
        }

        return number > max
            ? FailStruct<int>(field, $"Input should be less than or equal to {max}.", "less_than_equal")
            : (int)number;
    }

    public long? ReadLong(string field, long min, long max, bool required = false)
    {
        if (!TryGet(field, required, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var number))
        {
            return FailStruct<long>(field, "Input should be a valid integer.", "int_type");
        }

        if (number < min)
        {
            return FailStruct<long>(field, $"Input should be greater than or equal to {min}.", "greater_than_equal");
        }

        return number > max ? FailStruct<long>(field, $"Input should be less than or equal to {max}.", "less_than_equal") : number;
    }

    /// <summary>A JSON object value (e.g. custom metadata), cloned so it outlives the body.</summary>
    public JsonElement? ReadObject(string field, bool required = false)
    {
        if (!TryGet(field, required, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Object
            ? value.Clone()
            : FailStruct<JsonElement>(field, "Input should be a valid dictionary.", "dict_type");
    }

    public bool? ReadBool(string field, bool required = false)
    {
        if (!TryGet(field, required, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => FailStruct<bool>(field, "Input should be a valid boolean.", "bool_type"),
        };
    }

    public double? ReadDouble(string field, double min, double max, bool required = false)
    {
        if (!TryGet(field, required, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number)
        {
            return FailStruct<double>(field, "Input should be a valid number.", "float_type");
        }

        var number = value.GetDouble();
        if (number < min)
        {
            return FailStruct<double>(field, $"Input should be greater than or equal to {min}.", "greater_than_equal");
        }

        return number > max ? FailStruct<double>(field, $"Input should be less than or equal to {max}.", "less_than_equal") : number;
    }

    /// <summary>An array of strings; null when absent. Every element must be a string.</summary>
    public IReadOnlyList<string>? ReadStringList(string field, int maxItems = 1000, int maxLength = 1000) =>
        ReadList(field, maxItems, e => e.ValueKind == JsonValueKind.String && e.GetString()!.Length <= maxLength ? e.GetString() : null, "string_type", "Input should be a list of strings.");

    public IReadOnlyList<Guid>? ReadUuidList(string field, int maxItems = 1000) =>
        ReadList<Guid?>(field, maxItems, e => e.ValueKind == JsonValueKind.String && System.Guid.TryParse(e.GetString(), out var id) ? id : null, "uuid_parsing", "Input should be a list of UUIDs.")
            ?.Select(id => id!.Value).ToList();

    public IReadOnlyList<int>? ReadIntList(string field, int min, int max, int maxItems = 1000) =>
        ReadList<int?>(field, maxItems, e => e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var n) && n >= min && n <= max ? n : null, "int_type", $"Input should be a list of integers between {min} and {max}.")
            ?.Select(n => n!.Value).ToList();

    /// <summary>An object of scalar values as strings (e.g. metadata filters); null when absent.</summary>
    public IReadOnlyDictionary<string, string>? ReadScalarMap(string field)
    {
        if (!TryGet(field, false, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            return FailClass<Dictionary<string, string>>(field, "Input should be a valid dictionary.", "dict_type");
        }

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in value.EnumerateObject())
        {
            var scalar = property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString(),
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => property.Value.GetRawText(),
                _ => null,
            };
            if (scalar is null)
            {
                return FailClass<Dictionary<string, string>>(field, $"Value of '{property.Name}' should be a string, number or boolean.", "value_error");
            }

            map[property.Name] = scalar;
        }

        return map;
    }

    /// <summary>A nested object read with the same rules; its errors are located under this field. Null when absent.</summary>
    public JsonBody? ReadNested(string field)
    {
        if (!TryGet(field, false, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Object
            ? new JsonBody(value, _errors, [.. _path, field])
            : FailClass<JsonBody>(field, "Input should be a valid dictionary.", "dict_type");
    }

    /// <summary>Records an error found by the caller's own check of a field.</summary>
    public void Reject(string field, string message, string type) => _errors.Add(new FieldError([.. _path, field], message, type));

    /// <summary>Throws one 422 listing every field error found so far.</summary>
    public void ThrowIfInvalid()
    {
        if (_errors.Count > 0)
        {
            throw new ValidationException([.. _errors]);
        }
    }

    private bool TryGet(string field, bool required, out JsonElement value)
    {
        if (_root.TryGetProperty(field, out value) && value.ValueKind != JsonValueKind.Null)
        {
            return true;
        }

        if (required)
        {
            _errors.Add(new FieldError([.. _path, field], "Field required.", "missing"));
        }

        return false;
    }

    private T? FailClass<T>(string field, string message, string type)
        where T : class
    {
        _errors.Add(new FieldError([.. _path, field], message, type));
        return null;
    }

    private T? FailStruct<T>(string field, string message, string type)
        where T : struct
    {
        _errors.Add(new FieldError([.. _path, field], message, type));
        return null;
    }

    private List<T>? ReadList<T>(string field, int maxItems, Func<JsonElement, T?> read, string type, string message)
    {
        if (!TryGet(field, false, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            _errors.Add(new FieldError([.. _path, field], "Input should be a valid list.", "list_type"));
            return null;
        }

        if (value.GetArrayLength() > maxItems)
        {
            _errors.Add(new FieldError([.. _path, field], $"List should have at most {maxItems} items.", "too_long"));
            return null;
        }

        var items = new List<T>();
        foreach (var element in value.EnumerateArray())
        {
            if (read(element) is not { } item)
            {
                _errors.Add(new FieldError([.. _path, field], message, type));
                return null;
            }

            items.Add(item);
        }

        return items;
    }

    private static async Task CopyLimitedAsync(Stream source, Stream destination, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (destination.Length + read > MaxBytes)
            {
                throw new MemicException(ErrorKind.PayloadTooLarge, ErrorCodes.BadRequest, $"JSON bodies are limited to {MaxBytes} bytes.");
            }

            await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
    }

    private static JsonElement EmptyObject()
    {
        using var document = JsonDocument.Parse("{}");
        return document.RootElement.Clone();
    }
}
