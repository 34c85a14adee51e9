using Memic.Core.Errors;

namespace Memic.Core.Users;

/// <summary>The rules for emails and passwords, shared by user creation and sign-in.</summary>
public static class UserInput
{
    public const int MaxEmailLength = 254;
    public const int MinPasswordLength = 8;

    /// <summary>Long enough for any passphrase, short enough that hashing it costs nothing extra.</summary>
    public const int MaxPasswordLength = 1024;

    /// <summary>Emails compare trimmed and in lower case, so <c>Owner@Localhost</c> signs in as <c>owner@localhost</c>.</summary>
    public static string NormalizeEmail(string? email) => (email ?? string.Empty).Trim().ToLowerInvariant();

    public static string Email(string? email)
    {
        var normalized = NormalizeEmail(email);
        var at = normalized.IndexOf('@', StringComparison.Ordinal);
        if (normalized.Length is 0 or > MaxEmailLength || at <= 0 || at != normalized.LastIndexOf('@') || at == normalized.Length - 1
            || normalized.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            throw new ValidationException("email", "email must be an address like name@example.com.", "value_error");
        }

        return normalized;
    }

    public static string Password(string? password)
    {
        if (password is null || password.Length < MinPasswordLength)
        {
            throw new ValidationException("password", $"password must be at least {MinPasswordLength} characters.", "string_too_short");
        }

        return password.Length > MaxPasswordLength
            ? throw new ValidationException("password", $"password must be at most {MaxPasswordLength} characters.", "string_too_long")
            : password;
    }
}
