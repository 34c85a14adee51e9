using System.Globalization;
using Memic.Core.Errors;
using Microsoft.AspNetCore.Http;

namespace Memic.Http.Requests;

/// <summary>Query-string values read like <see cref="JsonBody"/> fields: every bad value is collected into one 422.</summary>
public sealed class QueryParameters(IQueryCollection query)
{
    private readonly List<FieldError> _errors = [];

    public string? ReadString(string name, int maxLength = 1000)
    {
        var value = query[name].ToString();
        if (value.Length == 0)
        {
            return null;
        }

        return value.Length > maxLength ? Fail<string>(name, $"String should have at most {maxLength} characters.", "string_too_long") : value;
    }

    public int ReadInt(string name, int min, int max, int fallback)
    {
        var raw = query[name].ToString();
        if (raw.Length == 0)
        {
            return fallback;
        }

        if (!int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            _errors.Add(new FieldError(["query", name], "Input should be a valid integer.", "int_parsing"));
            return fallback;
        }

        if (value < min || value > max)
        {
            _errors.Add(new FieldError(["query", name], $"Input should be between {min} and {max}.", value < min ? "greater_than_equal" : "less_than_equal"));
            return fallback;
        }

        return value;
    }

    public Guid? ReadUuid(string name)
    {
        var raw = query[name].ToString();
        if (raw.Length == 0)
        {
            return null;
        }

        if (Guid.TryParse(raw, out var id))
        {
            return id;
        }

        _errors.Add(new FieldError(["query", name], "Input should be a valid UUID.", "uuid_parsing"));
        return null;
    }

    public bool ReadBool(string name)
    {
        var raw = query[name].ToString();
        if (raw.Length == 0)
        {
            return false;
        }

        if (bool.TryParse(raw, out var value) || raw is "1" or "0")
        {
            return value || raw == "1";
        }

        _errors.Add(new FieldError(["query", name], "Input should be a valid boolean.", "bool_parsing"));
        return false;
    }

    public DateOnly? ReadDate(string name)
    {
        var raw = query[name].ToString();
        if (raw.Length == 0)
        {
            return null;
        }

        if (DateOnly.TryParseExact(raw, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            return day;
        }

        _errors.Add(new FieldError(["query", name], "Input should be a date as YYYY-MM-DD.", "date_parsing"));
        return null;
    }

    /// <summary>One of the given wire values (e.g. a status), or null when absent.</summary>
    public T? ReadEnum<T>(string name, IReadOnlyDictionary<string, T> allowed)
        where T : struct
    {
        var raw = query[name].ToString();
        if (raw.Length == 0)
        {
            return null;
        }

        if (allowed.TryGetValue(raw, out var value))
        {
            return value;
        }

        _errors.Add(new FieldError(["query", name], $"Input should be one of: {string.Join(", ", allowed.Keys)}.", "enum"));
        return null;
    }

    public void ThrowIfInvalid()
    {
        if (_errors.Count > 0)
        {
            throw new ValidationException([.. _errors]);
        }
    }

    private T? Fail<T>(string name, string message, string type)
        where T : class
    {
        _errors.Add(new FieldError(["query", name], message, type));
        return null;
    }
}
