using Memic.Azure.KeyVault;
using Microsoft.Extensions.Options;

namespace Memic.Azure.Internals;

/// <summary>Checked on start, so a host without a vault stops with the setting's name instead of failing on the first key check.</summary>
internal sealed class KeyVaultOptionsValidation : IValidateOptions<KeyVaultOptions>
{
    public ValidateOptionsResult Validate(string? name, KeyVaultOptions options) => options.VaultUri switch
    {
        null => ValidateOptionsResult.Fail(
            $"{KeyVaultOptions.Section}:VaultUri must be set to the Key Vault that holds API key bindings, e.g. https://<vault>.vault.azure.net."),
        // The SDK sends bearer tokens over TLS only, so anything else would fail on every call.
        { IsAbsoluteUri: true, Scheme: "https" } => ValidateOptionsResult.Success,
        _ => ValidateOptionsResult.Fail($"{KeyVaultOptions.Section}:VaultUri must be an absolute https URI, e.g. https://<vault>.vault.azure.net."),
    };
}
