using Memic.Infra.Tests.Arm;

namespace Memic.Infra.Tests;

/// <summary>Who may do what: every grant is one role, on one resource, for one principal.</summary>
public sealed class RoleAssignmentTests(InfraFixture infra)
{
    private const string Storage = "Microsoft.Storage/storageAccounts";
    private const string Container = "Microsoft.Storage/storageAccounts/blobServices/containers";
    private const string Vault = "Microsoft.KeyVault/vaults";
    private const string ResourceGroup = "Microsoft.Resources/resourceGroups";
    private const string OpenAi = "Microsoft.CognitiveServices/accounts";
    private const string Insights = "Microsoft.Insights/components";

    private readonly IReadOnlyList<RoleAssignment> _assignments = RoleAssignment.All(infra.DeployMain());

    [Fact]
    public void Nothing_is_granted_on_the_subscription()
    {
        Assert.NotEmpty(_assignments);
        Assert.All(_assignments, a => Assert.True(a.IsScopedToResource || a.IsScopedToResourceGroup, $"{a.Role} is granted on {a.Scope}"));
    }

    [Fact]
    public void Every_role_assignment_is_scoped_to_a_resource_except_the_search_roles_on_the_resource_group()
    {
        var onGroup = _assignments.Where(a => a.IsScopedToResourceGroup).ToList();

        Assert.All(_assignments.Except(onGroup), a => Assert.True(a.IsScopedToResource, $"{a.Role} is granted on {a.Scope}"));
        Assert.Equal(
            new[] { Roles.SearchIndexDataContributor, Roles.SearchServiceContributor }.Order(),
            onGroup.Select(a => a.Role).Order());
    }

    [Fact]
    public void Search_roles_on_the_resource_group_are_the_app_identitys_in_its_own_group()
    {
        // Search services the app deploys later land in this group, so these grants cover them without the app
        // ever creating a role assignment (it holds no roleAssignments/write anywhere).
        var onGroup = _assignments.Where(a => a.IsScopedToResourceGroup).ToList();

        Assert.NotEmpty(onGroup);
        Assert.All(onGroup, a =>
        {
            Assert.True(a.IsForAppIdentity, $"{a.Role} on the resource group is for {ArmValue.Render(a.PrincipalId)}");
            Assert.Equal("ServicePrincipal", a.PrincipalType);
            Assert.EndsWith($"/resourceGroups/rg-{InfraFixture.EnvironmentName}", a.Scope, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void No_role_allows_creating_role_assignments_or_role_definitions()
    {
        var definitions = infra.DeployMain().Resources
            .Where(r => r.Type.StartsWith("Microsoft.Authorization/roleDefinitions", StringComparison.OrdinalIgnoreCase));
        string[] granted = [.. _assignments.Select(a => a.Role).Distinct()];
        string[] builtIn =
        [
            Roles.StorageBlobDataContributor, Roles.StorageBlobDataOwner, Roles.StorageQueueDataContributor,
            Roles.StorageTableDataContributor, Roles.KeyVaultSecretsOfficer, Roles.SearchIndexDataContributor,
            Roles.SearchServiceContributor, Roles.CognitiveServicesOpenAiUser, Roles.MonitoringMetricsPublisher,
        ];

        // Only built-in roles none of which carries Microsoft.Authorization/*/write (Owner, User Access Administrator and
        // Role Based Access Control Administrator are absent), and no custom role that might.
        Assert.Empty(definitions);
        Assert.All(granted, role => Assert.Contains(role, builtIn));
    }

    [Fact]
    public void Role_assignments_come_from_the_one_role_assignment_module()
    {
        var compiled = File.ReadAllText(infra.CompiledPath("main.bicep"));
        var module = File.ReadAllText(infra.CompiledPath("modules/role-assignment.bicep"));
        var directAssignments = infra.Template("main.bicep")["resources"] is List<object?> resources
            ? resources.Cast<Dictionary<string, object?>>().Count(r => Equals(r["type"], "Microsoft.Authorization/roleAssignments"))
            : -1;

        Assert.Equal(0, directAssignments);
        Assert.Contains("Microsoft.Authorization/roleAssignments", module, StringComparison.Ordinal);
        Assert.Contains("Microsoft.Authorization/roleAssignments", compiled, StringComparison.Ordinal);
    }

    [Fact]
    public void App_identity_gets_exactly_the_data_roles_it_needs()
    {
        var granted = _assignments
            .Where(a => a.IsForAppIdentity)
            .Select(a => (a.Role, a.ScopeType))
            .Distinct()
            .Order()
            .ToList();
        (string, string)[] expected =
        [
            (Roles.StorageBlobDataContributor, Storage),
            (Roles.StorageBlobDataOwner, Container),
            (Roles.StorageQueueDataContributor, Storage),
            (Roles.StorageTableDataContributor, Storage),
            (Roles.KeyVaultSecretsOfficer, Vault),
            (Roles.SearchIndexDataContributor, ResourceGroup),
            (Roles.SearchServiceContributor, ResourceGroup),
            (Roles.CognitiveServicesOpenAiUser, OpenAi),
            (Roles.MonitoringMetricsPublisher, Insights),
        ];

        Assert.Equal(expected.Order(), granted);
        Assert.All(_assignments.Where(a => a.IsForAppIdentity), a => Assert.Equal("ServicePrincipal", a.PrincipalType));
    }

    [Fact]
    public void Blob_data_owner_is_confined_to_the_host_containers()
    {
        var owner = _assignments.Where(a => a.Role == Roles.StorageBlobDataOwner).ToList();

        Assert.NotEmpty(owner);
        Assert.All(owner, a =>
        {
            Assert.Equal(Container, a.ScopeType);
            Assert.StartsWith("azure-webjobs-", a.ScopeName, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void Deploying_principal_can_write_and_read_the_admin_key_and_nothing_else()
    {
        var deployer = _assignments.Where(a => Equals(a.PrincipalId, InfraFixture.DeployerPrincipalId)).ToList();

        var grant = Assert.Single(deployer);
        Assert.Equal(Roles.KeyVaultSecretsOfficer, grant.Role);
        Assert.Equal(Vault, grant.ScopeType);
        Assert.Equal("User", grant.PrincipalType);
    }

    [Fact]
    public void Without_a_deploying_principal_nothing_is_granted_to_it()
    {
        var assignments = RoleAssignment.All(infra.DeployMain(new Dictionary<string, object?> { ["principalId"] = string.Empty }));

        Assert.All(assignments, a => Assert.True(a.IsForAppIdentity, $"{a.Role} on {a.Scope} for {ArmValue.Render(a.PrincipalId)}"));
    }

    [Fact]
    public void Role_assignment_names_are_stable_and_unique()
    {
        var names = infra.DeployMain().OfType("Microsoft.Authorization/roleAssignments").Select(r => ArmValue.ToArmString(r.Name)).ToList();

        Assert.Equal(names.Count, names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Equal(names, infra.DeployMain().OfType("Microsoft.Authorization/roleAssignments").Select(r => ArmValue.ToArmString(r.Name)));
    }
}
