using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Memic.Azure.Identity;

/// <summary>
/// Refuses the per-adapter <c>ClientId</c> settings that one identity for every client replaced, so a value someone set
/// is not silently ignored.
/// </summary>
internal sealed class AzureIdentityOptionsValidation(IConfiguration configuration) : IValidateOptions<AzureIdentityOptions>
{
    private static readonly string[] RetiredSettings =
    [
        "Memic:Blobs:ClientId", "Memic:Catalog:ClientId", "Memic:Keys:ClientId", "Memic:Search:ClientId",
        "Memic:Search:Deployment:ClientId", "Memic:IngestionQueue:ClientId",
    ];

    public ValidateOptionsResult Validate(string? name, AzureIdentityOptions options)
    {
        var set = RetiredSettings.Where(setting => !string.IsNullOrWhiteSpace(configuration[setting])).ToList();
        return set.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"{string.Join(", ", set)} is no longer read: every Azure client uses one identity. " +
                $"Set {AzureIdentityOptions.Section}:ManagedIdentityClientId (Memic__Azure__ManagedIdentityClientId) instead, " +
                $"or nothing to use {AzureIdentityOptions.ClientIdVariable}.");
    }
}
