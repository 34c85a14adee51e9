using System.Text.RegularExpressions;
using Memic.Core.Errors;

namespace Memic.Core.Tenancy;

/// <summary>Environment slugs: 1–63 characters of a-z, 0-9 and '-', unique within their project.</summary>
public static partial class EnvironmentSlug
{
    public const int MaxLength = 63;

    public static bool IsValid(string? slug) =>
        slug is { Length: > 0 and <= MaxLength } && SlugPattern().IsMatch(slug);

    /// <summary>The reason a slug is refused, or null when it is fine.</summary>
    public static FieldError? Check(string? slug, string field = "slug")
    {
        if (string.IsNullOrEmpty(slug))
        {
            return new FieldError(["body", field], "Slug must not be empty.", "string_too_short");
        }

        if (slug.Length > MaxLength)
        {
            return new FieldError(["body", field], $"Slug must be at most {MaxLength} characters.", "string_too_long");
        }

        return SlugPattern().IsMatch(slug)
            ? null
            : new FieldError(["body", field], "Slug may contain only lowercase letters a-z, digits 0-9 and '-'.", "string_pattern_mismatch");
    }

    [GeneratedRegex(@"^[a-z0-9-]+\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex SlugPattern();
}
