using Azure.Core;
using Azure.Identity;
using Azure.Security.KeyVault.Secrets;

namespace Memic.Azure.Internals;

/// <summary>How the key store reaches its vault: the managed identity's token, and the same transient-failure mapping as storage.</summary>
internal static class KeyVaultClients
{
    public static SecretClient CreateSecretClient(Uri vaultUri, string? clientId) =>
        CreateSecretClient(vaultUri, Credential(clientId), new SecretClientOptions());

    /// <summary>Tests pass a fake credential and transport here, so they exercise the same pipeline as production.</summary>
    public static SecretClient CreateSecretClient(Uri vaultUri, TokenCredential credential, SecretClientOptions options)
    {
        options.AddPolicy(new TransientFailurePolicy("Azure Key Vault"), HttpPipelinePosition.PerCall);
        return new SecretClient(vaultUri, credential, options);
    }

    /// <summary>With a user-assigned identity the client id says which one; without, the system-assigned one or a developer login.</summary>
    private static DefaultAzureCredential Credential(string? clientId) =>
        new(new DefaultAzureCredentialOptions { ManagedIdentityClientId = string.IsNullOrWhiteSpace(clientId) ? null : clientId });
}
