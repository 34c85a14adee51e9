using Microsoft.Extensions.Options;

namespace Memic.Azure.Provisioning.Internals;

/// <summary>
/// Checked on start, so a host that cannot grow its search pool stops naming the setting, instead of failing on the day
/// the pool fills up. The allowed values mirror infra/search-service.bicep, which ARM would otherwise refuse mid-signup.
/// </summary>
internal sealed class ArmDeploymentOptionsValidation : IValidateOptions<ArmDeploymentOptions>
{
    internal static readonly string[] Skus =
        ["free", "basic", "standard", "standard2", "standard3", "storage_optimized_l1", "storage_optimized_l2"];

    private static readonly int[] PartitionCounts = [1, 2, 3, 4, 6, 12];
    private static readonly string[] HostingModes = ["Default", "HighDensity"];
    private static readonly string[] SemanticRankers = ["disabled", "free", "standard"];

    public ValidateOptionsResult Validate(string? name, ArmDeploymentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string S = ArmDeploymentOptions.Section;
        var failures = new List<string>();

        if (string.IsNullOrWhiteSpace(options.SubscriptionId))
        {
            failures.Add($"{S}:SubscriptionId must be set to the subscription that holds the search services, a GUID.");
        }
        else if (!Guid.TryParse(options.SubscriptionId, out _))
        {
            failures.Add($"{S}:SubscriptionId must be a GUID, not '{options.SubscriptionId}'.");
        }

        if (string.IsNullOrWhiteSpace(options.ResourceGroup))
        {
            failures.Add($"{S}:ResourceGroup must be set to the resource group new search services are deployed into.");
        }

        if (!Skus.Contains(options.Sku, StringComparer.Ordinal))
        {
            failures.Add($"{S}:Sku must be one of {string.Join(", ", Skus)}, not '{options.Sku}'.");
        }

        if (options.ReplicaCount is < 1 or > 12)
        {
            failures.Add($"{S}:ReplicaCount must be between 1 and 12, not {options.ReplicaCount}.");
        }

        if (!PartitionCounts.Contains(options.PartitionCount))
        {
            failures.Add($"{S}:PartitionCount must be one of {string.Join(", ", PartitionCounts)}, not {options.PartitionCount}.");
        }

        if (!HostingModes.Contains(options.HostingMode, StringComparer.Ordinal))
        {
            failures.Add($"{S}:HostingMode must be Default or HighDensity, not '{options.HostingMode}'.");
        }
        else if (options.HostingMode == "HighDensity" && options.Sku != "standard3")
        {
            failures.Add($"{S}:HostingMode HighDensity needs {S}:Sku standard3.");
        }

        if (!SemanticRankers.Contains(options.SemanticRanker, StringComparer.Ordinal))
        {
            failures.Add($"{S}:SemanticRanker must be disabled, free or standard, not '{options.SemanticRanker}'.");
        }

        // The bearer token goes with every request, so it must never travel in clear text.
        if (options.ArmEndpoint is not { IsAbsoluteUri: true, Scheme: "https" })
        {
            failures.Add($"{S}:ArmEndpoint must be an absolute https URI, e.g. https://management.azure.com.");
        }

        if (options.Timeout <= TimeSpan.Zero)
        {
            failures.Add($"{S}:Timeout must be positive, e.g. 01:00:00.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
