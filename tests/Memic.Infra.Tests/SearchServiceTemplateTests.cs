using Memic.Infra.Tests.Arm;

namespace Memic.Infra.Tests;

/// <summary>search-service.bicep: one more Azure AI Search service for the pool, deployable on its own.</summary>
public sealed class SearchServiceTemplateTests(InfraFixture infra)
{
    private const string AppPrincipalId = "99999999-8888-7777-6666-555555555555";

    private ArmDeployment Deploy(params (string Name, object? Value)[] parameters) =>
        infra.DeploySearchService(parameters
            .Prepend(("name", "srch-pool-2"))
            .ToDictionary(p => p.Item1, p => p.Item2, StringComparer.OrdinalIgnoreCase));

    [Fact]
    public void Search_service_template_deploys_into_a_resource_group()
    {
        var schema = (string)infra.Template("search-service.bicep")["$schema"]!;

        Assert.EndsWith("/deploymentTemplate.json#", schema, StringComparison.Ordinal);
    }

    [Fact]
    public void Search_service_takes_name_sku_size_and_tags_from_parameters()
    {
        var search = Assert.Single(Deploy(
            ("sku", "standard2"),
            ("replicaCount", 3L),
            ("partitionCount", 2L),
            ("tags", new Dictionary<string, object?> { ["azd-env-name"] = "prod" })).OfType("Microsoft.Search/searchServices"));

        Assert.Equal("srch-pool-2", search.Name);
        Assert.Equal("standard2", ((Dictionary<string, object?>)search.Body["sku"]!)["name"]);
        Assert.Equal(3L, search.Properties["replicaCount"]);
        Assert.Equal(2L, search.Properties["partitionCount"]);
        Assert.Equal("prod", search.Tags["azd-env-name"]);
        Assert.Equal(true, search.Properties["disableLocalAuth"]);
    }

    [Theory]
    [InlineData("free", 1, "Default", 0, 3)]
    [InlineData("basic", 1, "Default", 0, 15)]
    [InlineData("standard", 2, "Default", 0, 50)]
    [InlineData("standard2", 1, "Default", 0, 200)]
    [InlineData("standard3", 1, "Default", 0, 200)]
    [InlineData("standard3", 3, "HighDensity", 0, 3000)]
    [InlineData("basic", 1, "Default", 5, 5)]
    public void Index_capacity_output_follows_the_sku(string sku, int partitions, string hostingMode, int overrideCapacity, int expected)
    {
        var deployment = Deploy(
            ("sku", sku),
            ("partitionCount", (long)partitions),
            ("hostingMode", hostingMode),
            ("indexCapacity", (long)overrideCapacity));

        Assert.Equal((long)expected, deployment.Outputs["indexCapacity"]);
    }

    [Fact]
    public void Function_app_identity_gets_index_data_and_service_roles_on_the_new_service()
    {
        var assignments = RoleAssignment.All(Deploy(("principalId", AppPrincipalId)));

        Assert.Equal(
            new[] { Roles.SearchIndexDataContributor, Roles.SearchServiceContributor }.Order(),
            assignments.Select(a => a.Role).Order());
        Assert.All(assignments, a =>
        {
            Assert.Equal("Microsoft.Search/searchServices", a.ScopeType);
            Assert.Equal("srch-pool-2", a.ScopeName);
            Assert.Equal(AppPrincipalId, a.PrincipalId);
        });
    }

    [Fact]
    public void Without_a_principal_no_role_is_granted()
    {
        Assert.Empty(RoleAssignment.All(Deploy()));
    }

    [Fact]
    public void Semantic_ranker_is_optional()
    {
        var disabled = Assert.Single(Deploy(("semanticRanker", "disabled")).OfType("Microsoft.Search/searchServices"));
        var free = Assert.Single(Deploy(("sku", "free")).OfType("Microsoft.Search/searchServices"));

        Assert.Equal("disabled", disabled.Properties["semanticSearch"]);
        // The free tier has no semantic ranker at all, so the property is left out.
        Assert.Null(free.Properties.GetValueOrDefault("semanticSearch"));
    }
}
