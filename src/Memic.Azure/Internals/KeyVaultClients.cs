using Azure.Core;
using Azure.Security.KeyVault.Secrets;

namespace Memic.Azure.Internals;

/// <summary>How the key store reaches its vault: the managed identity's token, and the same transient-failure mapping as storage.</summary>
internal static class KeyVaultClients
{
    public static SecretClient CreateSecretClient(Uri vaultUri, TokenCredential credential) =>
        CreateSecretClient(vaultUri, credential, new SecretClientOptions());

    /// <summary>Tests pass a fake credential and transport here, so they exercise the same pipeline as production.</summary>
    public static SecretClient CreateSecretClient(Uri vaultUri, TokenCredential credential, SecretClientOptions options)
    {
        options.AddPolicy(new TransientFailurePolicy("Azure Key Vault"), HttpPipelinePosition.PerCall);
        return new SecretClient(vaultUri, credential, options);
    }
}
