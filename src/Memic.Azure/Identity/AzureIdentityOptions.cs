namespace Memic.Azure.Identity;

/// <summary>
/// Which identity every Azure client of the app authenticates as (<c>Memic:Azure</c>). Unset, it is the user-assigned
/// managed identity named by <c>AZURE_CLIENT_ID</c>, which infra/main.bicep sets; without that, the system-assigned
/// identity, or a developer login outside Azure.
/// </summary>
public sealed class AzureIdentityOptions
{
    public const string Section = "Memic:Azure";

    /// <summary>The environment variable Azure.Identity and infra/main.bicep use for the user-assigned identity's client id.</summary>
    public const string ClientIdVariable = "AZURE_CLIENT_ID";

    /// <summary>Overrides <c>AZURE_CLIENT_ID</c>; after start-up, the client id in effect (null for the system-assigned identity).</summary>
    public string? ManagedIdentityClientId { get; set; }
}
