using Memic.Core.Errors;

namespace Memic.Azure.Internals;

/// <summary>
/// Text longer than one table property holds (64 KiB, i.e. 32,768 UTF-16 units) spread over a fixed number of properties.
/// </summary>
internal static class LongText
{
    public const int Parts = 4;
    public const int PartLength = 32_000;
    public const int MaxLength = Parts * PartLength;

    /// <summary>Splits <paramref name="value"/> into <see cref="Parts"/> pieces (null when unused), never between the halves of a surrogate pair.</summary>
    public static string?[] Split(string? value, string field)
    {
        var parts = new string?[Parts];
        if (value is null)
        {
            return parts;
        }

        var start = 0;
        for (var i = 0; i < Parts && (start < value.Length || i == 0); i++)
        {
            var length = Math.Min(PartLength, value.Length - start);
            if (length == PartLength && start + length < value.Length && char.IsHighSurrogate(value[start + length - 1]))
            {
                length--;
            }

            parts[i] = value.Substring(start, length);
            start += length;
        }

        if (start < value.Length)
        {
            throw new ValidationException(field, $"{field} must be at most {MaxLength} characters to be stored in Azure Table Storage.", "string_too_long");
        }

        return parts;
    }

    public static string? Join(params string?[] parts) =>
        parts[0] is null ? null : string.Concat(parts);

    /// <summary>Cuts a diagnostic text (an error message) to one property rather than refuse to record the error.</summary>
    public static string? Truncate(string? value) =>
        value is null || value.Length <= PartLength ? value : value[..(char.IsHighSurrogate(value[PartLength - 1]) ? PartLength - 1 : PartLength)];
}
