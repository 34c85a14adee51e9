namespace Memic.Core.Keys;

public sealed class KeyVerificationOptions
{
    public const string Section = "Memic:Keys";

    /// <summary>How long a verified key is trusted without asking the key store; bounds how late a revocation takes effect.</summary>
    public TimeSpan PositiveCacheTtl { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an unknown key is remembered as unknown, so repeating it does not reach the store.</summary>
    public TimeSpan NegativeCacheTtl { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Upper bound on remembered keys, so a flood of random keys cannot grow memory without limit.</summary>
    public int MaxCachedKeys { get; set; } = 100_000;

    /// <summary>Key-store lookups allowed at once, in each of the two lanes (keys never verified here, and re-checks).</summary>
    public int MaxConcurrentLookups { get; set; } = 16;

    /// <summary>Lookups of never-verified keys that may wait for a slot; beyond them a request is refused at once with 503.</summary>
    public int MaxQueuedLookups { get; set; } = 64;

    /// <summary>
    /// Lookups of never-verified keys per second, per instance, in bursts of up to five seconds' worth (0: unlimited). Keep instances × this well under the key
    /// store's own limit (Key Vault: 4,000 reads per 10 s per vault), so real keys' re-checks always find room.
    /// </summary>
    public int MaxUnknownKeyLookupsPerSecond { get; set; } = 10;

    /// <summary>Failed authentications a client address may make per minute before its unproven keys get 429 (0: unlimited).</summary>
    public int MaxFailedAuthenticationsPerMinute { get; set; } = 60;

    /// <summary>
    /// Whether the client address is the last entry of <c>X-Forwarded-For</c>, as the front end in front of the
    /// Functions app appends it; otherwise the connection's address. Only true behind a proxy that sets the header.
    /// </summary>
    public bool TrustForwardedFor { get; set; }

    /// <summary>The admin key given by configuration (<c>MEMIC_ADMIN_KEY</c>); when empty one is generated on first start.</summary>
    public string? AdminKey { get; set; }

    /// <summary>How an App Service Key Vault reference starts; the app sees it verbatim while App Service cannot resolve it.</summary>
    public const string KeyVaultReferencePrefix = "@Microsoft.KeyVault(";

    /// <summary>
    /// True when <see cref="AdminKey"/> is a Key Vault reference App Service has not resolved (the secret is missing or
    /// the identity cannot read it yet). The admin API is then off, and the data plane keeps serving.
    /// </summary>
    public bool AdminKeyIsUnresolvedReference =>
        AdminKey?.TrimStart().StartsWith(KeyVaultReferencePrefix, StringComparison.OrdinalIgnoreCase) == true;
}
