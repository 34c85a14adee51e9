namespace Memic.Core.Errors;

/// <summary>Shared checks for user-supplied values, raising the contract's 422 shape.</summary>
public static class InputRules
{
    public const int MaxNameLength = 200;

    /// <summary>A trimmed display name of 1..<paramref name="maxLength"/> characters.</summary>
    public static string Name(string? value, string field, int maxLength = MaxNameLength)
    {
        var trimmed = value?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            throw new ValidationException(field, $"{field} must not be empty.", "string_too_short");
        }

        if (trimmed.Length > maxLength)
        {
            throw new ValidationException(field, $"{field} must be at most {maxLength} characters.", "string_too_long");
        }

        if (trimmed.Any(char.IsControl))
        {
            throw new ValidationException(field, $"{field} must not contain control characters.", "value_error");
        }

        return trimmed;
    }

    public static string? OptionalName(string? value, string field, int maxLength = MaxNameLength) =>
        value is null ? null : Name(value, field, maxLength);
}
