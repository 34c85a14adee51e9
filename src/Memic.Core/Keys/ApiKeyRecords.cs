namespace Memic.Core.Keys;

/// <summary>Who a key speaks for. Admin keys work only on the admin API, environment keys only on the data plane.</summary>
public enum KeyScope
{
    Environment,
    Admin,
}

/// <summary>
/// What the key store holds for one key, found by the SHA-256 of the key. It never holds the key itself.
/// </summary>
public sealed record ApiKeyBinding(byte[] KeyHash, KeyScope Scope, Guid KeyId, Guid? EnvironmentId);

/// <summary>Key metadata kept in the catalog and listed by the admin API (never the key, never its hash).</summary>
public sealed record ApiKeyInfo(
    Guid Id,
    Guid EnvironmentId,
    string Name,
    string Prefix,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastUsedAt);

/// <summary>A newly created key: the only moment its plaintext exists outside the caller.</summary>
public sealed record IssuedApiKey(ApiKeyInfo Info, string PlaintextKey);

/// <summary>The result of checking a presented key.</summary>
public sealed record VerifiedKey(KeyScope Scope, Guid KeyId, Guid? EnvironmentId);
