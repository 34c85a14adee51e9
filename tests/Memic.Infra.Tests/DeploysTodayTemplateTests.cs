using Memic.Infra.Tests.Arm;

namespace Memic.Infra.Tests;

/// <summary>
/// What makes `azd up` work on a fresh subscription today: current model defaults, regions that have the plan, no
/// password publishing, and optional private networking (issue 14). Read from main.bicep's compiled ARM JSON.
/// </summary>
public sealed class DeploysTodayTemplateTests(InfraFixture infra)
{
    private const string ModelDeployments = "Microsoft.CognitiveServices/accounts/deployments";

    private static readonly string[] PrivatelyReachedServices =
    [
        "Microsoft.Storage/storageAccounts",
        "Microsoft.KeyVault/vaults",
        "Microsoft.Search/searchServices",
        "Microsoft.CognitiveServices/accounts",
    ];

    private readonly ArmDeployment _deployment = infra.DeployMain();

    [Fact]
    public void The_default_chat_model_is_a_current_one_not_the_retired_gpt_4o_mini()
    {
        var chat = Model(_deployment, "gpt-5.4-mini");

        Assert.Equal("2026-03-17", chat["version"]);
        Assert.DoesNotContain(_deployment.OfType(ModelDeployments), d => Equals(ModelOf(d)["name"], "gpt-4o-mini"));
        Assert.Equal("GlobalStandard", Sku(Deployment(_deployment, "gpt-5.4-mini"))["name"]);
    }

    [Fact]
    public void The_chat_model_and_version_are_parameters_azd_env_set_reaches()
    {
        var deployment = infra.DeployMain(new Dictionary<string, object?> { ["chatModelName"] = "gpt-4.1-mini", ["chatModelVersion"] = "2025-04-14" });

        Assert.Equal("2025-04-14", Model(deployment, "gpt-4.1-mini")["version"]);
        Assert.Equal("gpt-4.1-mini", ArmValue.ToArmString(Deployment(deployment, "gpt-4.1-mini").Name).Split('/')[^1]);
        var parameters = File.ReadAllText(Path.Combine(Bicep.BicepCli.InfraDirectory, "main.parameters.json"));
        Assert.Contains("${MEMIC_CHAT_MODEL=gpt-5.4-mini}", parameters, StringComparison.Ordinal);
        Assert.Contains("${MEMIC_CHAT_MODEL_VERSION=2026-03-17}", parameters, StringComparison.Ordinal);
        Assert.Contains("${MEMIC_DEPLOY_CHAT=true}", parameters, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_chat_only_the_embedding_model_is_deployed_and_answers_stay_extractive()
    {
        var deployment = infra.DeployMain(new Dictionary<string, object?> { ["deployChat"] = false });
        var settings = Settings(deployment);

        Assert.Equal("text-embedding-3-small", ModelOf(Assert.Single(deployment.OfType(ModelDeployments)))["name"]);
        Assert.Equal("None", settings["Memic__Chat__Provider"]);
        Assert.False(settings.ContainsKey("Memic__Chat__Model"));
        Assert.Equal("AzureOpenAI", settings["Memic__Embeddings__Provider"]);
    }

    [Fact]
    public void Embeddings_deploy_on_global_standard_by_default_and_the_sku_is_a_parameter()
    {
        var regional = infra.DeployMain(new Dictionary<string, object?> { ["embeddingDeploymentSku"] = "Standard" });

        Assert.Equal("GlobalStandard", Sku(Deployment(_deployment, "text-embedding-3-small"))["name"]);
        Assert.Equal("Standard", Sku(Deployment(regional, "text-embedding-3-small"))["name"]);
    }

    [Fact]
    public void Location_is_limited_to_regions_that_offer_flex_consumption()
    {
        var location = (Dictionary<string, object?>)((Dictionary<string, object?>)infra.Template("main.bicep")["parameters"]!)["location"]!;
        var allowed = Assert.IsType<List<object?>>(location["allowedValues"]).Select(v => (string)v!).ToList();

        Assert.Contains(InfraFixture.Location, allowed);
        Assert.Contains("eastus", allowed);
        Assert.Contains("swedencentral", allowed);
        // Regions without Flex Consumption are refused before anything is created.
        Assert.DoesNotContain("westus", allowed);
        Assert.DoesNotContain("brazilsouth", allowed);
        Assert.Equal("location", ((Dictionary<string, object?>)((Dictionary<string, object?>)location["metadata"]!)["azd"]!)["type"]);
    }

    [Fact]
    public void Ftp_and_basic_auth_publishing_credentials_are_disabled()
    {
        var app = Assert.Single(_deployment.OfType("Microsoft.Web/sites"));
        var policies = _deployment.OfType("Microsoft.Web/sites/basicPublishingCredentialsPolicies").ToList();
        var siteConfig = (Dictionary<string, object?>)app.Properties["siteConfig"]!;

        Assert.Equal(["ftp", "scm"], policies.Select(p => ((string)p.Name!).Split('/')[^1]).Order());
        Assert.All(policies, p => Assert.Equal(false, p.Properties["allow"]));
        Assert.All(policies, p => Assert.Equal($"{app.Name}/{((string)p.Name!).Split('/')[^1]}", p.Name));
        Assert.Equal("Disabled", siteConfig["ftpsState"]);
    }

    [Fact]
    public void Private_networking_is_off_by_default_and_every_service_stays_public()
    {
        var app = Assert.Single(_deployment.OfType("Microsoft.Web/sites"));

        Assert.Empty(_deployment.OfType("Microsoft.Network/virtualNetworks"));
        Assert.Empty(_deployment.OfType("Microsoft.Network/privateEndpoints"));
        Assert.Empty(_deployment.OfType("Microsoft.Network/privateDnsZones"));
        Assert.Null(app.Properties.GetValueOrDefault("virtualNetworkSubnetId"));
        Assert.All(PrivatelyReachedServices, type =>
            Assert.Equal("enabled", ((string)Assert.Single(_deployment.OfType(type)).Properties["publicNetworkAccess"]!).ToLowerInvariant()));
    }

    [Fact]
    public void With_vnet_enabled_the_function_app_joins_a_subnet_delegated_to_flex_consumption()
    {
        var deployment = infra.DeployMain(new Dictionary<string, object?> { ["vnetEnabled"] = true });
        var vnet = Assert.Single(deployment.OfType("Microsoft.Network/virtualNetworks"));
        var subnets = ((List<object?>)vnet.Properties["subnets"]!).Cast<Dictionary<string, object?>>().ToList();
        var app = Assert.Single(deployment.OfType("Microsoft.Web/sites"));
        var appSubnet = Assert.Single(subnets, s => Equals(s["name"], "app"));
        var delegation = (Dictionary<string, object?>)Assert.Single((List<object?>)((Dictionary<string, object?>)appSubnet["properties"]!)["delegations"]!)!;

        Assert.Equal("Microsoft.App/environments", ((Dictionary<string, object?>)delegation["properties"]!)["serviceName"]);
        Assert.Contains(subnets, s => Equals(s["name"], "private-endpoints"));
        var subnetId = ArmValue.ToArmString(app.Properties["virtualNetworkSubnetId"]);
        Assert.Contains("deployments/network'", subnetId, StringComparison.Ordinal);
        Assert.EndsWith(".outputs.appSubnetId.value", subnetId, StringComparison.Ordinal);
    }

    [Fact]
    public void With_vnet_enabled_storage_key_vault_search_and_openai_are_reached_through_private_endpoints_only()
    {
        var deployment = infra.DeployMain(new Dictionary<string, object?> { ["vnetEnabled"] = true });
        var endpoints = deployment.OfType("Microsoft.Network/privateEndpoints").Select(Connection).ToList();

        Assert.Equal(
            new[]
            {
                ("Microsoft.CognitiveServices/accounts", "account"),
                ("Microsoft.KeyVault/vaults", "vault"),
                ("Microsoft.Search/searchServices", "searchService"),
                ("Microsoft.Storage/storageAccounts", "blob"),
                ("Microsoft.Storage/storageAccounts", "queue"),
                ("Microsoft.Storage/storageAccounts", "table"),
            },
            endpoints.Select(e => (e.TargetType, e.GroupId)).Order());
        // Each endpoint targets the deployment's own resource of that type.
        Assert.All(endpoints, e => Assert.EndsWith($"/providers/{e.TargetType}/{Assert.Single(deployment.OfType(e.TargetType)).Name}", e.Target, StringComparison.Ordinal));
        Assert.All(PrivatelyReachedServices, type =>
            Assert.Equal("disabled", ((string)Assert.Single(deployment.OfType(type)).Properties["publicNetworkAccess"]!).ToLowerInvariant()));
    }

    [Fact]
    public void With_vnet_enabled_each_endpoint_registers_in_a_private_dns_zone_linked_to_the_network()
    {
        var deployment = infra.DeployMain(new Dictionary<string, object?> { ["vnetEnabled"] = true });
        var zones = deployment.OfType("Microsoft.Network/privateDnsZones").Select(z => (string)z.Name!).ToList();
        var links = deployment.OfType("Microsoft.Network/privateDnsZones/virtualNetworkLinks").ToList();
        var groups = deployment.OfType("Microsoft.Network/privateEndpoints/privateDnsZoneGroups").ToList();

        Assert.Equal(
            new[]
            {
                "privatelink.blob.core.windows.net", "privatelink.openai.azure.com", "privatelink.queue.core.windows.net",
                "privatelink.search.windows.net", "privatelink.table.core.windows.net", "privatelink.vaultcore.azure.net",
            },
            zones.Order());
        Assert.Equal(zones.Order(), links.Select(l => ((string)l.Name!).Split('/')[0]).Order());
        Assert.All(links, l => Assert.Equal(false, l.Properties["registrationEnabled"]));
        Assert.Equal(6, groups.Count);
        Assert.All(groups, g =>
        {
            var config = (Dictionary<string, object?>)Assert.Single((List<object?>)g.Properties["privateDnsZoneConfigs"]!)!;
            var zoneId = ArmValue.ToArmString(((Dictionary<string, object?>)config["properties"]!)["privateDnsZoneId"]);
            Assert.Contains(zones, z => zoneId.EndsWith($"/privateDnsZones/{z}", StringComparison.Ordinal));
        });
    }

    [Fact]
    public void With_vnet_enabled_and_external_embeddings_no_openai_endpoint_is_made()
    {
        var deployment = infra.DeployMain(new Dictionary<string, object?>
        {
            ["vnetEnabled"] = true,
            ["deployOpenAi"] = false,
            ["embeddingEndpoint"] = "https://embeddings.example.com/v1",
        });

        Assert.Equal(5, deployment.OfType("Microsoft.Network/privateEndpoints").Count());
        Assert.DoesNotContain(deployment.OfType("Microsoft.Network/privateDnsZones"), z => Equals(z.Name, "privatelink.openai.azure.com"));
    }

    [Fact]
    public void The_deployer_address_alone_passes_the_key_vault_firewall_so_the_hooks_can_write_the_admin_key()
    {
        var deployment = infra.DeployMain(new Dictionary<string, object?> { ["vnetEnabled"] = true, ["deployerIpAddress"] = "203.0.113.7" });
        var vault = Assert.Single(deployment.OfType("Microsoft.KeyVault/vaults")).Properties;
        var acls = (Dictionary<string, object?>)vault["networkAcls"]!;
        var rule = (Dictionary<string, object?>)Assert.Single((List<object?>)acls["ipRules"]!)!;

        Assert.Equal("Enabled", vault["publicNetworkAccess"]);
        Assert.Equal("Deny", acls["defaultAction"]);
        Assert.Equal("203.0.113.7", rule["value"]);
    }

    private static (string TargetType, string Target, string GroupId) Connection(ArmResource endpoint)
    {
        var connection = (Dictionary<string, object?>)Assert.Single((List<object?>)endpoint.Properties["privateLinkServiceConnections"]!)!;
        var properties = (Dictionary<string, object?>)connection["properties"]!;
        var target = ArmValue.ToArmString(properties["privateLinkServiceId"]);
        var providers = target[(target.LastIndexOf("/providers/", StringComparison.Ordinal) + "/providers/".Length)..].Split('/');
        return ($"{providers[0]}/{providers[1]}", target, (string)Assert.Single((List<object?>)properties["groupIds"]!)!);
    }

    private static ArmResource Deployment(ArmDeployment deployment, string model) =>
        Assert.Single(deployment.OfType(ModelDeployments), d => Equals(ModelOf(d)["name"], model));

    private static Dictionary<string, object?> Model(ArmDeployment deployment, string model) => ModelOf(Deployment(deployment, model));

    private static Dictionary<string, object?> ModelOf(ArmResource deployment) => (Dictionary<string, object?>)deployment.Properties["model"]!;

    private static Dictionary<string, object?> Sku(ArmResource deployment) => (Dictionary<string, object?>)deployment.Body["sku"]!;

    private static Dictionary<string, object?> Settings(ArmDeployment deployment) =>
        Assert.Single(deployment.OfType("Microsoft.Web/sites/config")).Properties;
}
