using Azure.Core;
using Azure.Identity;

namespace Memic.Azure.Identity;

/// <summary>
/// The one credential every Azure client of the app shares (storage, Key Vault, Azure AI Search, Resource Manager,
/// Azure OpenAI). Where the platform runs a managed-identity endpoint (App Service and Functions set
/// <c>IDENTITY_ENDPOINT</c>; older hosts <c>MSI_ENDPOINT</c>) it is that identity and nothing else: a credential
/// chain there would only hide a wrong identity behind a developer login or stray service-principal variables.
/// Elsewhere it is <see cref="DefaultAzureCredential"/>, so a developer's <c>az login</c> works locally.
/// </summary>
/// <remarks>
/// Both are given the client id explicitly: <see cref="DefaultAzureCredentialOptions.ManagedIdentityClientId"/>
/// defaults to <c>AZURE_CLIENT_ID</c>, but assigning it (even null) replaces that default, which once left every
/// request asking for a system-assigned identity the app does not have.
/// </remarks>
internal static class AzureCredentials
{
    private static readonly string[] ManagedIdentityEndpointVariables = ["IDENTITY_ENDPOINT", "MSI_ENDPOINT"];

    /// <param name="clientId">The user-assigned identity's client id; null for the system-assigned one.</param>
    /// <param name="environment">Reads a process environment variable, as the SDK itself will.</param>
    public static TokenCredential Create(string? clientId, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        clientId = string.IsNullOrWhiteSpace(clientId) ? null : clientId.Trim();
        if (IsManagedIdentityHost(environment))
        {
            return new ManagedIdentityCredential(clientId is null ? ManagedIdentityId.SystemAssigned : ManagedIdentityId.FromUserAssignedClientId(clientId));
        }

        return new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = clientId });
    }

    public static TokenCredential Create(string? clientId) => Create(clientId, Environment.GetEnvironmentVariable);

    public static bool IsManagedIdentityHost(Func<string, string?> environment) =>
        ManagedIdentityEndpointVariables.Any(name => !string.IsNullOrWhiteSpace(environment(name)));
}
