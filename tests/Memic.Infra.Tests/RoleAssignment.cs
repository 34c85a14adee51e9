using System.Text.RegularExpressions;
using Memic.Infra.Tests.Arm;

namespace Memic.Infra.Tests;

/// <summary>A role assignment read back from an evaluated deployment.</summary>
internal sealed partial record RoleAssignment(string Role, string Scope, object? PrincipalId, object? PrincipalType)
{
    /// <summary>Resource type of the scope, e.g. Microsoft.Storage/storageAccounts/blobServices/containers.</summary>
    public string ScopeType
    {
        get
        {
            if (IsScopedToResourceGroup)
            {
                return "Microsoft.Resources/resourceGroups";
            }

            var match = ResourceScope().Match(Scope);
            if (!match.Success)
            {
                return string.Empty;
            }

            var segments = match.Groups["path"].Value.Split('/');
            var types = segments.Where((_, i) => i % 2 == 0).ToArray();
            return $"{match.Groups["namespace"].Value}/{string.Join('/', types)}";
        }
    }

    public string ScopeName => Scope[(Scope.LastIndexOf('/') + 1)..];

    /// <summary>True when the scope is one resource, not a subscription or resource group.</summary>
    public bool IsScopedToResource => ResourceScope().IsMatch(Scope);

    /// <summary>True when the scope is a whole resource group.</summary>
    public bool IsScopedToResourceGroup => ResourceGroupScope().IsMatch(Scope);

    /// <summary>True when the principal is the function app's user-assigned identity.</summary>
    public bool IsForAppIdentity =>
        PrincipalId is Opaque o && o.Text.Contains("/deployments/identity'", StringComparison.Ordinal)
        && o.Text.EndsWith(".outputs.principalId.value", StringComparison.Ordinal);

    public static IReadOnlyList<RoleAssignment> All(ArmDeployment deployment) =>
        deployment.OfType("Microsoft.Authorization/roleAssignments")
            .Select(r => new RoleAssignment(
                RoleGuid(r.Properties["roleDefinitionId"]),
                // No scope means the deployment's own scope: a resource group or the subscription.
                r.Body.GetValueOrDefault("scope") as string
                    ?? $"/subscriptions/{r.Scope.SubscriptionId}" + (r.Scope.ResourceGroup is { } rg ? $"/resourceGroups/{rg}" : string.Empty),
                r.Properties.GetValueOrDefault("principalId"),
                r.Properties.GetValueOrDefault("principalType")))
            .ToList();

    private static string RoleGuid(object? roleDefinitionId)
    {
        var id = Assert.IsType<string>(roleDefinitionId);
        Assert.StartsWith("/subscriptions/", id, StringComparison.Ordinal);
        Assert.Contains("/providers/Microsoft.Authorization/roleDefinitions/", id, StringComparison.Ordinal);
        return id[(id.LastIndexOf('/') + 1)..];
    }

    [GeneratedRegex(@"^/subscriptions/[^/]+/resourceGroups/[^/]+$", RegexOptions.IgnoreCase)]
    private static partial Regex ResourceGroupScope();

    [GeneratedRegex(@"^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/(?<namespace>[^/]+)/(?<path>[^/]+/[^/]+(/[^/]+/[^/]+)*)$")]
    private static partial Regex ResourceScope();
}
