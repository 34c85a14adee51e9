namespace Memic.Azure.KeyVault;

/// <summary>
/// Where key bindings are kept in Azure. Shares the <c>Memic:Keys</c> section with Core's verification options
/// (different property names), so everything about keys is configured in one place.
/// </summary>
public sealed class KeyVaultOptions
{
    public const string Section = "Memic:Keys";

    /// <summary>The vault, e.g. <c>https://&lt;vault&gt;.vault.azure.net</c>; reached with the managed identity.</summary>
    public Uri? VaultUri { get; set; }
}
