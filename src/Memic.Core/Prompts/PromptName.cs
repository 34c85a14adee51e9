using System.Text.RegularExpressions;
using Memic.Core.Errors;

namespace Memic.Core.Prompts;

/// <summary>Prompt names: 1–100 characters of letters, digits, '_', '-' and '.', unique (case-sensitive) within their environment.</summary>
public static partial class PromptName
{
    public const int MaxLength = 100;

    public static bool IsValid(string? name) => Check(name) is null;

    /// <summary>The reason a name is refused, or null when it is fine.</summary>
    public static FieldError? Check(string? name, string field = "name")
    {
        if (string.IsNullOrEmpty(name))
        {
            return new FieldError(["body", field], "Name must not be empty.", "string_too_short");
        }

        if (name.Length > MaxLength)
        {
            return new FieldError(["body", field], $"Name must be at most {MaxLength} characters.", "string_too_long");
        }

        if (!NamePattern().IsMatch(name))
        {
            return new FieldError(["body", field], "Name may contain only letters A-Z and a-z, digits 0-9, '_', '-' and '.'.", "string_pattern_mismatch");
        }

        // The name is a path segment of GET /prompts/{name}, and clients collapse "." and ".." segments before sending.
        return name is "." or ".."
            ? new FieldError(["body", field], "Name must not be '.' or '..'.", "value_error")
            : null;
    }

    [GeneratedRegex(@"^[A-Za-z0-9_.-]+\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex NamePattern();
}
