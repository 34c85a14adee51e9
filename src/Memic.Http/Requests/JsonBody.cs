using System.Text.Json;
using Memic.Core.Errors;
using Microsoft.AspNetCore.Http;

namespace Memic.Http.Requests;

/// <summary>
/// A JSON request body read field by field. Malformed JSON is a 400 <c>bad_request</c>; every wrong type,
/// missing or out-of-range field is collected and reported together as one 422 (CONTRACT §11).
/// </summary>
public sealed class JsonBody
{
    /// <summary>JSON bodies of Memic's routes are small; anything larger is refused before parsing.</summary>
    public const int MaxBytes = 1024 * 1024;

    private readonly JsonElement _root;
    private readonly List<FieldError> _errors = [];

    private JsonBody(JsonElement root) => _root = root;

    public static async Task<JsonBody> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBytes)
        {
            throw new MemicException(ErrorKind.PayloadTooLarge, ErrorCodes.BadRequest, $"JSON bodies are limited to {MaxBytes} bytes.");
        }

        using var buffer = new MemoryStream();
        await CopyLimitedAsync(request.Body, buffer, cancellationToken);
        if (buffer.Length == 0 || buffer.ToArray().All(b => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
        {
            return new JsonBody(EmptyObject());
        }

        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(buffer.ToArray(), new JsonDocumentOptions { MaxDepth = 32 });
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

        return new JsonBody(root);
    }

    public string? ReadString(string field, bool required = false, int minLength = 0, int maxLength = int.MaxValue)
    {
        if (!TryGet(field, required, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            return Fail<string>(field, "Input should be a valid string.", "string_type");
        }

        var text = value.GetString()!;
        if (text.Length < minLength)
        {
            return Fail<string>(field, $"String should have at least {minLength} character{(minLength == 1 ? "" : "s")}.", "string_too_short");
        }

        return text.Length > maxLength
            ? Fail<string>(field, $"String should have at most {maxLength} characters.", "string_too_long")
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
            _errors.Add(new FieldError(["body", field], "Field required.", "missing"));
        }

        return false;
    }

    private T? Fail<T>(string field, string message, string type)
        where T : class
    {
        _errors.Add(new FieldError(["body", field], message, type));
        return null;
    }

    private T? FailStruct<T>(string field, string message, string type)
        where T : struct
    {
        _errors.Add(new FieldError(["body", field], message, type));
        return null;
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
