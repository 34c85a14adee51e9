using System.Text.Json;
using System.Text.Json.Serialization;
using Memic.Core.Keys;

namespace Memic.Azure.Internals;

/// <summary>
/// How a key binding is written as a Key Vault secret: named <c>apikey-&lt;sha256 lowercase hex&gt;</c>, with a small JSON
/// value holding the scope, key id and environment id. Neither the name nor the value holds the key itself.
/// </summary>
internal static class KeyBindingSecret
{
    public const string NamePrefix = "apikey-";
    public const string ContentType = "application/json";
    public const string ScopeTag = "scope";
    public const string EnvironmentTag = "environment_id";

    private const int HashLength = 32;

    private static readonly JsonSerializerOptions Json = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string Name(byte[] keyHash)
    {
        ArgumentNullException.ThrowIfNull(keyHash);
        if (keyHash.Length != HashLength)
        {
            throw new ArgumentException($"A key hash is a SHA-256 ({HashLength} bytes), not {keyHash.Length} bytes.", nameof(keyHash));
        }

        return NamePrefix + Convert.ToHexStringLower(keyHash);
    }

    /// <summary>The hash a secret name stands for; null when the name is not a key binding's.</summary>
    public static byte[]? HashOf(string secretName)
    {
        if (!secretName.StartsWith(NamePrefix, StringComparison.OrdinalIgnoreCase) || secretName.Length != NamePrefix.Length + (2 * HashLength))
        {
            return null;
        }

        try
        {
            return Convert.FromHexString(secretName.AsSpan(NamePrefix.Length));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    public static string Value(ApiKeyBinding binding) =>
        JsonSerializer.Serialize(new BindingValue(ScopeName(binding.Scope), binding.KeyId, binding.EnvironmentId), Json);

    /// <summary>Tags are for operators browsing the vault; the binding itself is read from the value only.</summary>
    public static Dictionary<string, string> Tags(ApiKeyBinding binding)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal) { [ScopeTag] = ScopeName(binding.Scope) };
        if (binding.EnvironmentId is { } environmentId)
        {
            tags[EnvironmentTag] = environmentId.ToString("D");
        }

        return tags;
    }

    /// <summary>The binding a secret value describes; throws when the value is not one, so a damaged secret never authenticates.</summary>
    public static ApiKeyBinding Parse(byte[] keyHash, string secretName, string? value)
    {
        BindingValue? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize<BindingValue>(value ?? "", Json);
        }
        catch (JsonException ex)
        {
            throw Invalid(secretName, ex);
        }

        var scope = parsed?.Scope switch
        {
            "environment" => KeyScope.Environment,
            "admin" => KeyScope.Admin,
            _ => (KeyScope?)null,
        };
        if (parsed is null || scope is null || parsed.KeyId == Guid.Empty || (scope == KeyScope.Environment) != parsed.EnvironmentId.HasValue)
        {
            throw Invalid(secretName, null);
        }

        return new ApiKeyBinding(keyHash, scope.Value, parsed.KeyId, parsed.EnvironmentId);
    }

    private static string ScopeName(KeyScope scope) => scope switch
    {
        KeyScope.Environment => "environment",
        KeyScope.Admin => "admin",
        _ => throw new ArgumentOutOfRangeException(nameof(scope), scope, "Unknown key scope."),
    };

    private static InvalidDataException Invalid(string secretName, Exception? inner) =>
        new($"Key Vault secret '{secretName}' does not hold a valid key binding.", inner);

    private sealed record BindingValue(
        [property: JsonPropertyName("scope")] string? Scope,
        [property: JsonPropertyName("key_id")] Guid KeyId,
        [property: JsonPropertyName("environment_id")] Guid? EnvironmentId);
}
