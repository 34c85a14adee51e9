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

    /// <summary>Key-store lookups allowed at once; a flood of distinct bad keys queues here instead of hammering the store.</summary>
    public int MaxConcurrentLookups { get; set; } = 16;

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
