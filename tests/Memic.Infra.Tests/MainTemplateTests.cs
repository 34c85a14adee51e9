using Memic.Infra.Tests.Arm;
using Memic.Infra.Tests.Bicep;

namespace Memic.Infra.Tests;

/// <summary>What `azd up` provisions, read from main.bicep's compiled ARM JSON evaluated with azd's parameters.</summary>
public sealed class MainTemplateTests(InfraFixture infra)
{
    private readonly ArmDeployment _deployment = infra.DeployMain();

    private ArmResource FunctionApp => Assert.Single(_deployment.OfType("Microsoft.Web/sites"));

    private Dictionary<string, object?> AppSettings =>
        Assert.Single(_deployment.OfType("Microsoft.Web/sites/config"), c => Equals(c.Name, $"{FunctionApp.Name}/appsettings")).Properties;

    [Fact]
    public void Main_template_targets_the_subscription()
    {
        var schema = (string)infra.Template("main.bicep")["$schema"]!;

        Assert.Contains("subscriptionDeploymentTemplate.json", schema, StringComparison.Ordinal);
    }

    [Fact]
    public void Resources_live_in_a_resource_group_named_after_the_environment()
    {
        var group = Assert.Single(_deployment.OfType("Microsoft.Resources/resourceGroups"));

        Assert.Equal($"rg-{InfraFixture.EnvironmentName}", group.Name);
        Assert.Equal(InfraFixture.EnvironmentName, group.Tags["azd-env-name"]);
        Assert.All(
            _deployment.Resources.Where(r => r.Body.ContainsKey("location")),
            r => Assert.Equal($"rg-{InfraFixture.EnvironmentName}", r.Scope.ResourceGroup ?? (string)r.Name!));
    }

    [Fact]
    public void Every_tracked_resource_carries_the_azd_env_name_tag()
    {
        var tracked = _deployment.Resources.Where(r => r.Body.ContainsKey("location")).ToList();

        Assert.NotEmpty(tracked);
        Assert.All(tracked, r => Assert.Equal(InfraFixture.EnvironmentName, r.Tags.GetValueOrDefault("azd-env-name")));
    }

    [Fact]
    public void Resource_names_come_from_the_resource_token()
    {
        var storage = Assert.Single(_deployment.OfType("Microsoft.Storage/storageAccounts"));
        var token = ((string)storage.Name!)["st".Length..];

        Assert.Matches("^[a-z0-9]{13}$", token);
        Assert.Equal($"func-{token}", FunctionApp.Name);
        Assert.Equal($"kv-{token}", Assert.Single(_deployment.OfType("Microsoft.KeyVault/vaults")).Name);
    }

    [Fact]
    public void Function_app_settings_contain_no_account_keys()
    {
        var compiled = File.ReadAllText(infra.CompiledPath("main.bicep"));

        Assert.DoesNotContain("listKeys(", compiled, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("AccountKey=", compiled, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("SharedAccessSignature", compiled, StringComparison.OrdinalIgnoreCase);
        Assert.All(AppSettings, setting =>
        {
            Assert.DoesNotContain("AccountKey=", ArmValue.ToArmString(setting.Value), StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("listKeys(", ArmValue.ToArmString(setting.Value), StringComparison.OrdinalIgnoreCase);
        });
        // The connection-string form of host storage must not come back.
        Assert.False(AppSettings.ContainsKey("AzureWebJobsStorage"));
        Assert.DoesNotContain(AppSettings.Keys, key => key.EndsWith("ConnectionString", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Host_storage_connection_is_identity_based()
    {
        var clientId = AppSettings["AZURE_CLIENT_ID"];

        Assert.Equal("managedidentity", AppSettings["AzureWebJobsStorage__credential"]);
        Assert.Equal(clientId, AppSettings["AzureWebJobsStorage__clientId"]);
        Assert.Contains(".outputs.clientId.value", ArmValue.ToArmString(clientId), StringComparison.Ordinal);
        Assert.EndsWith(".primaryEndpoints.blob", ArmValue.ToArmString(AppSettings["AzureWebJobsStorage__blobServiceUri"]), StringComparison.Ordinal);
        Assert.EndsWith(".primaryEndpoints.queue", ArmValue.ToArmString(AppSettings["AzureWebJobsStorage__queueServiceUri"]), StringComparison.Ordinal);
        Assert.EndsWith(".primaryEndpoints.table", ArmValue.ToArmString(AppSettings["AzureWebJobsStorage__tableServiceUri"]), StringComparison.Ordinal);
    }

    /// <summary>
    /// AZURE_CLIENT_ID alone names the identity; that the app really uses it for every client is proven by
    /// DeployedSettingsCompositionTests, not by the setting's presence here.
    /// </summary>
    [Fact]
    public void The_app_identity_is_named_only_by_AZURE_CLIENT_ID()
    {
        Assert.Contains(".outputs.clientId.value", ArmValue.ToArmString(AppSettings["AZURE_CLIENT_ID"]), StringComparison.Ordinal);
        Assert.DoesNotContain(AppSettings.Keys, key => key.StartsWith("Memic__", StringComparison.Ordinal) && key.EndsWith("ClientId", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Memic__Blobs__Provider", "AzureBlob")]
    [InlineData("Memic__Catalog__Provider", "AzureTable")]
    [InlineData("Memic__Keys__Provider", "KeyVault")]
    [InlineData("Memic__Search__Provider", "AzureAISearch")]
    [InlineData("Memic__Embeddings__Provider", "AzureOpenAI")]
    [InlineData("Memic__Chat__Provider", "AzureOpenAI")]
    public void Memic_provider_settings_select_the_azure_adapters(string name, string expected)
    {
        Assert.Equal(expected, AppSettings[name]);
    }

    [Theory]
    [InlineData("Memic__Blobs__ServiceUri", "storage", "blobEndpoint")]
    [InlineData("Memic__Catalog__ServiceUri", "storage", "tableEndpoint")]
    [InlineData("Memic__Keys__VaultUri", "key-vault", "uri")]
    [InlineData("Memic__Search__Services__0__Endpoint", "search-service", "endpoint")]
    [InlineData("Memic__Embeddings__Endpoint", "openai", "endpoint")]
    [InlineData("Memic__Embeddings__Model", "openai", "embeddingDeploymentName")]
    [InlineData("Memic__Chat__Endpoint", "openai", "endpoint")]
    [InlineData("Memic__Chat__Model", "openai", "chatDeploymentName")]
    public void Memic_endpoint_settings_come_from_the_provisioned_resources(string name, string module, string output)
    {
        var value = Assert.IsType<Opaque>(AppSettings[name]).Text;

        Assert.StartsWith("reference(", value, StringComparison.Ordinal);
        Assert.Contains($"/providers/Microsoft.Resources/deployments/{module}'", value, StringComparison.Ordinal);
        Assert.EndsWith($".outputs.{output}.value", value, StringComparison.Ordinal);
    }

    [Fact]
    public void Azure_openai_embeddings_get_the_model_length_and_a_budget_of_the_deployment_capacity()
    {
        var deployment = _deployment.OfType("Microsoft.CognitiveServices/accounts/deployments").Single(d => Equals(((Dictionary<string, object?>)d.Properties["model"]!)["name"], "text-embedding-3-small"));
        var capacity = (long)((Dictionary<string, object?>)deployment.Body["sku"]!)["capacity"]!;

        Assert.Equal("1536", AppSettings["Memic__Embeddings__Dimensions"]);
        Assert.Equal((capacity * 1000).ToString(System.Globalization.CultureInfo.InvariantCulture), AppSettings["Memic__Embeddings__TokensPerMinute"]);

        // The relevance calibration recognises the model by the name the app is given: the deployment's.
        Assert.Contains("text-embedding-3", ArmValue.ToArmString(deployment.Name), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("text-embedding-3-large", 0, "3072")]
    [InlineData("text-embedding-3-large", 1024, "1024")]
    [InlineData("my-own-embedder", 768, "768")]
    public void Embedding_dimensions_are_the_model_native_length_unless_given(string model, long dimensions, string expected)
    {
        var deployment = infra.DeployMain(new Dictionary<string, object?> { ["embeddingModelName"] = model, ["embeddingDimensions"] = dimensions });

        Assert.Equal(expected, Settings(deployment)["Memic__Embeddings__Dimensions"]);
    }

    [Fact]
    public void An_embedding_model_of_unknown_length_without_dimensions_fails_the_deployment()
    {
        var failure = Assert.Throws<ArmTemplateFailedException>(() =>
            infra.DeployMain(new Dictionary<string, object?> { ["embeddingModelName"] = "my-own-embedder" }));

        Assert.Contains("embeddingDimensions", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Search_capacity_setting_is_the_index_capacity_of_the_first_pool_service()
    {
        var capacity = Assert.IsType<Opaque>(AppSettings["Memic__Search__Services__0__IndexCapacity"]).Text;

        // The number itself is computed by search-service.bicep (see SearchServiceTemplateTests); app settings are strings.
        Assert.StartsWith("string(reference(", capacity, StringComparison.Ordinal);
        Assert.Contains("/providers/Microsoft.Resources/deployments/search-service'", capacity, StringComparison.Ordinal);
        Assert.EndsWith(".outputs.indexCapacity.value)", capacity, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_Memic_app_setting_is_one_the_app_reads()
    {
        // local.settings.sample.json lists every setting the code binds (the Server tests check it against the options
        // classes), so a name the template sets but the sample lacks is a setting nobody reads: a typo in infra.
        var sample = SampleSettingNames();
        var memicSettings = AppSettings.Keys.Concat(Settings(DeployWithExternalEmbeddings()).Keys)
            .Where(k => k.StartsWith("Memic__", StringComparison.Ordinal)).Distinct().ToList();

        Assert.NotEmpty(memicSettings);
        Assert.All(memicSettings, name => Assert.Contains(name, sample));
    }

    [Fact]
    public void Search_deployment_settings_let_the_app_grow_the_pool_in_its_own_resource_group()
    {
        var deployment = infra.DeployMain(new Dictionary<string, object?>
        {
            ["searchSku"] = "standard2",
            ["searchReplicaCount"] = 2L,
            ["searchPartitionCount"] = 3L,
            ["searchSemanticRanker"] = "disabled",
        });
        var settings = Assert.Single(deployment.OfType("Microsoft.Web/sites/config")).Properties;
        var deploymentSettings = settings.Where(s => s.Key.StartsWith("Memic__Search__Deployment__", StringComparison.Ordinal))
            .ToDictionary(s => s.Key["Memic__Search__Deployment__".Length..], s => s.Value);

        Assert.Equal(
            new Dictionary<string, object?>
            {
                ["ArmEndpoint"] = "https://management.azure.com/",
                ["SubscriptionId"] = DeploymentScope.Subscription(InfraFixture.Location).SubscriptionId,
                ["ResourceGroup"] = $"rg-{InfraFixture.EnvironmentName}",
                ["Location"] = InfraFixture.Location,
                // New services are the size of the first one.
                ["Sku"] = "standard2",
                ["ReplicaCount"] = "2",
                ["PartitionCount"] = "3",
                ["SemanticRanker"] = "disabled",
                ["AzdEnvironmentName"] = InfraFixture.EnvironmentName,
            },
            deploymentSettings);
    }

    [Fact]
    public void Admin_key_setting_is_a_key_vault_reference_to_the_admin_key_secret()
    {
        var vault = Assert.Single(_deployment.OfType("Microsoft.KeyVault/vaults"));

        Assert.Equal($"@Microsoft.KeyVault(VaultName={vault.Name};SecretName=memic-admin-key)", AppSettings["MEMIC_ADMIN_KEY"]);
        Assert.Equal("memic-admin-key", _deployment.Outputs["MEMIC_ADMIN_KEY_SECRET_NAME"]);
    }

    [Fact]
    public void Without_openai_embeddings_come_from_the_given_endpoint_with_its_key_from_key_vault_and_answers_stay_extractive()
    {
        var deployment = DeployWithExternalEmbeddings();
        var settings = Settings(deployment);
        var vault = Assert.Single(deployment.OfType("Microsoft.KeyVault/vaults"));

        Assert.Empty(deployment.OfType("Microsoft.CognitiveServices/accounts"));
        Assert.Equal("OpenAI", settings["Memic__Embeddings__Provider"]);
        Assert.Equal("https://embeddings.example.com/v1", settings["Memic__Embeddings__Endpoint"]);
        Assert.Equal("text-embedding-3-small", settings["Memic__Embeddings__Model"]);
        Assert.Equal("1536", settings["Memic__Embeddings__Dimensions"]);
        Assert.Equal("1000000", settings["Memic__Embeddings__TokensPerMinute"]);
        Assert.Equal($"@Microsoft.KeyVault(VaultName={vault.Name};SecretName=memic-embeddings-api-key)", settings["Memic__Embeddings__ApiKey"]);
        Assert.Equal("memic-embeddings-api-key", deployment.Outputs["MEMIC_EMBEDDING_API_KEY_SECRET_NAME"]);
        Assert.Equal("None", settings["Memic__Chat__Provider"]);
        Assert.DoesNotContain(RoleAssignment.All(deployment), a => a.Role == Roles.CognitiveServicesOpenAiUser);
    }

    [Fact]
    public void A_key_less_embeddings_endpoint_gets_no_api_key_setting()
    {
        var deployment = DeployWithExternalEmbeddings(new Dictionary<string, object?> { ["embeddingEndpointNeedsKey"] = false });

        Assert.DoesNotContain("Memic__Embeddings__ApiKey", Settings(deployment).Keys);
    }

    [Fact]
    public void Without_openai_or_an_embeddings_endpoint_the_deployment_fails_naming_the_parameter()
    {
        // The Functions app ships no local model: deploying it without an embedder would only fail later, at its start.
        var failure = Assert.Throws<ArmTemplateFailedException>(() =>
            infra.DeployMain(new Dictionary<string, object?> { ["deployOpenAi"] = false }));

        Assert.Contains("embeddingEndpoint", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Function_app_is_tagged_as_the_api_service()
    {
        Assert.Equal("api", FunctionApp.Tags["azd-service-name"]);
        Assert.Equal(_deployment.Outputs["AZURE_FUNCTION_APP_NAME"], _deployment.Outputs["SERVICE_API_NAME"]);
        var name = ArmValue.ToArmString(_deployment.Outputs["SERVICE_API_NAME"]);
        Assert.Contains("/deployments/function-app'", name, StringComparison.Ordinal);
        Assert.EndsWith(".outputs.name.value", name, StringComparison.Ordinal);
    }

    [Fact]
    public void Function_app_runs_dotnet_isolated_10_on_a_flex_consumption_plan()
    {
        var plan = Assert.Single(_deployment.OfType("Microsoft.Web/serverfarms"));
        var sku = (Dictionary<string, object?>)plan.Body["sku"]!;
        var config = (Dictionary<string, object?>)FunctionApp.Properties["functionAppConfig"]!;
        var runtime = (Dictionary<string, object?>)config["runtime"]!;

        Assert.Equal("FC1", sku["name"]);
        Assert.Equal("FlexConsumption", sku["tier"]);
        Assert.EndsWith($"/providers/Microsoft.Web/serverfarms/{plan.Name}", (string)FunctionApp.Properties["serverFarmId"]!, StringComparison.Ordinal);
        Assert.Equal("dotnet-isolated", runtime["name"]);
        Assert.Equal("10.0", runtime["version"]);
        // Flex Consumption rejects the classic runtime settings.
        Assert.False(AppSettings.ContainsKey("FUNCTIONS_WORKER_RUNTIME"));
        Assert.False(AppSettings.ContainsKey("FUNCTIONS_EXTENSION_VERSION"));
    }

    [Fact]
    public void Function_app_runs_as_the_user_assigned_identity_and_deploys_with_it()
    {
        Assert.Single(_deployment.OfType("Microsoft.ManagedIdentity/userAssignedIdentities"));
        var appIdentity = (Dictionary<string, object?>)FunctionApp.Body["identity"]!;
        var assigned = Assert.Single((Dictionary<string, object?>)appIdentity["userAssignedIdentities"]!);
        var config = (Dictionary<string, object?>)FunctionApp.Properties["functionAppConfig"]!;
        var storage = (Dictionary<string, object?>)((Dictionary<string, object?>)config["deployment"]!)["storage"]!;
        var authentication = (Dictionary<string, object?>)storage["authentication"]!;

        Assert.Equal("UserAssigned", appIdentity["type"]);
        Assert.Contains("deployments/identity'", assigned.Key, StringComparison.Ordinal);
        Assert.Equal("UserAssignedIdentity", authentication["type"]);
        Assert.Equal(assigned.Key, ArmValue.ToArmString(authentication["userAssignedIdentityResourceId"]));
        Assert.Equal(assigned.Key, ArmValue.ToArmString(FunctionApp.Properties["keyVaultReferenceIdentity"]));
        Assert.Equal(true, FunctionApp.Properties["httpsOnly"]);
    }

    [Fact]
    public void Storage_account_refuses_shared_keys_and_public_blobs()
    {
        var storage = Assert.Single(_deployment.OfType("Microsoft.Storage/storageAccounts")).Properties;

        Assert.Equal(false, storage["allowSharedKeyAccess"]);
        Assert.Equal(false, storage["allowBlobPublicAccess"]);
        Assert.Equal("TLS1_2", storage["minimumTlsVersion"]);
    }

    [Fact]
    public void Storage_has_the_uploads_container_the_deployment_container_and_tables()
    {
        var containers = _deployment.OfType("Microsoft.Storage/storageAccounts/blobServices/containers")
            .Select(c => ((string)c.Name!).Split('/')[^1])
            .ToList();
        var config = (Dictionary<string, object?>)FunctionApp.Properties["functionAppConfig"]!;
        var packageLocation = ArmValue.ToArmString(((Dictionary<string, object?>)((Dictionary<string, object?>)config["deployment"]!)["storage"]!)["value"]);

        Assert.Contains("uploads", containers);
        Assert.Contains(containers, c => c.StartsWith("app-package-", StringComparison.Ordinal) && packageLocation.Contains(c, StringComparison.Ordinal));
        Assert.Single(_deployment.OfType("Microsoft.Storage/storageAccounts/tableServices"));
        Assert.Equal("uploads", _deployment.Outputs["AZURE_STORAGE_UPLOADS_CONTAINER"]);
    }

    [Fact]
    public void Event_grid_system_topic_publishes_the_storage_account_events()
    {
        var storage = Assert.Single(_deployment.OfType("Microsoft.Storage/storageAccounts"));
        var topic = Assert.Single(_deployment.OfType("Microsoft.EventGrid/systemTopics"));

        Assert.Equal("Microsoft.Storage.StorageAccounts", topic.Properties["topicType"]);
        Assert.EndsWith($"/providers/Microsoft.Storage/storageAccounts/{storage.Name}", (string)topic.Properties["source"]!, StringComparison.Ordinal);
        Assert.StartsWith("evgt-", (string)topic.Name!, StringComparison.Ordinal);
        Assert.EndsWith(".outputs.systemTopicName.value", ArmValue.ToArmString(_deployment.Outputs["AZURE_EVENTGRID_SYSTEM_TOPIC_NAME"]), StringComparison.Ordinal);
    }

    [Fact]
    public void Key_vault_uses_rbac_authorization_with_soft_delete()
    {
        var vault = Assert.Single(_deployment.OfType("Microsoft.KeyVault/vaults")).Properties;

        Assert.Equal(true, vault["enableRbacAuthorization"]);
        Assert.Equal(true, vault["enableSoftDelete"]);
        Assert.Null(vault.GetValueOrDefault("accessPolicies"));
        // Off by default, expressed by omission (the service refuses false).
        Assert.Null(vault.GetValueOrDefault("enablePurgeProtection"));
    }

    [Fact]
    public void Key_vault_purge_protection_is_a_parameter()
    {
        var deployment = infra.DeployMain(new Dictionary<string, object?> { ["keyVaultPurgeProtection"] = true });

        Assert.Equal(true, Assert.Single(deployment.OfType("Microsoft.KeyVault/vaults")).Properties["enablePurgeProtection"]);
    }

    [Fact]
    public void Search_service_accepts_entra_id_only_and_takes_its_size_from_parameters()
    {
        var deployment = infra.DeployMain(new Dictionary<string, object?>
        {
            ["searchSku"] = "standard",
            ["searchReplicaCount"] = 2L,
            ["searchPartitionCount"] = 3L,
            ["searchSemanticRanker"] = "standard",
        });
        var search = Assert.Single(deployment.OfType("Microsoft.Search/searchServices"));
        var settings = Assert.Single(deployment.OfType("Microsoft.Web/sites/config")).Properties;

        Assert.Equal(true, search.Properties["disableLocalAuth"]);
        Assert.False(search.Properties.ContainsKey("authOptions"));
        Assert.Equal("standard", ((Dictionary<string, object?>)search.Body["sku"]!)["name"]);
        Assert.Equal(2L, search.Properties["replicaCount"]);
        Assert.Equal(3L, search.Properties["partitionCount"]);
        Assert.Equal("standard", search.Properties["semanticSearch"]);
    }

    [Fact]
    public void Openai_deploys_an_embedding_and_a_chat_model_without_local_auth()
    {
        var account = Assert.Single(_deployment.OfType("Microsoft.CognitiveServices/accounts"));
        var models = _deployment.OfType("Microsoft.CognitiveServices/accounts/deployments")
            .Select(d => (Dictionary<string, object?>)d.Properties["model"]!)
            .Select(m => m["name"])
            .ToList();

        Assert.Equal("OpenAI", account.Body["kind"]);
        Assert.Equal(true, account.Properties["disableLocalAuth"]);
        Assert.Equal(account.Name, account.Properties["customSubDomainName"]);
        Assert.Equal(["text-embedding-3-small", "gpt-5.4-mini"], models);
    }

    [Fact]
    public void Application_insights_takes_telemetry_only_with_the_app_identity()
    {
        var insights = Assert.Single(_deployment.OfType("Microsoft.Insights/components"));
        var authentication = ArmValue.ToArmString(AppSettings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]);

        Assert.Equal(true, insights.Properties["DisableLocalAuth"]);
        Assert.Contains("Authorization=AAD", authentication, StringComparison.Ordinal);
        Assert.Contains(ArmValue.ToArmString(AppSettings["AZURE_CLIENT_ID"]), authentication, StringComparison.Ordinal);
        Assert.True(AppSettings.ContainsKey("APPLICATIONINSIGHTS_CONNECTION_STRING"));
    }

    [Fact]
    public void Outputs_give_azd_and_the_hooks_what_they_use()
    {
        string[] expected =
        [
            "AZURE_LOCATION", "AZURE_TENANT_ID", "AZURE_RESOURCE_GROUP", "AZURE_FUNCTION_APP_NAME",
            "AZURE_FUNCTION_APP_PRINCIPAL_ID", "AZURE_STORAGE_ACCOUNT_NAME", "AZURE_STORAGE_UPLOADS_CONTAINER",
            "AZURE_EVENTGRID_SYSTEM_TOPIC_NAME", "AZURE_KEY_VAULT_NAME", "AZURE_KEY_VAULT_URI",
            "AZURE_SEARCH_SERVICE_NAME", "AZURE_SEARCH_ENDPOINT", "AZURE_OPENAI_ENDPOINT",
            "MEMIC_ADMIN_KEY_SECRET_NAME", "MEMIC_EMBEDDING_API_KEY_SECRET_NAME", "SERVICE_API_NAME", "SERVICE_API_URI",
        ];

        Assert.All(expected, name => Assert.True(_deployment.Outputs.ContainsKey(name), $"output {name} is missing"));
        Assert.Equal($"rg-{InfraFixture.EnvironmentName}", _deployment.Outputs["AZURE_RESOURCE_GROUP"]);
        Assert.Equal("memic-admin-key", _deployment.Outputs["MEMIC_ADMIN_KEY_SECRET_NAME"]);
    }

    [Fact]
    public void The_dashboard_is_served_by_the_https_only_function_app_at_its_root()
    {
        var dashboard = ArmValue.ToArmString(_deployment.Outputs["MEMIC_DASHBOARD_URL"]);

        // Over https the session cookie is Secure; the page and the API share the app's origin.
        Assert.Equal(true, FunctionApp.Properties["httpsOnly"]);
        Assert.Equal(ArmValue.ToArmString(_deployment.Outputs["SERVICE_API_URI"]) + "/", dashboard);
    }

    private static Dictionary<string, object?> Settings(ArmDeployment deployment) =>
        Assert.Single(deployment.OfType("Microsoft.Web/sites/config")).Properties;

    private ArmDeployment DeployWithExternalEmbeddings(Dictionary<string, object?>? overrides = null)
    {
        var parameters = new Dictionary<string, object?>
        {
            ["deployOpenAi"] = false,
            ["embeddingEndpoint"] = "https://embeddings.example.com/v1",
            ["embeddingTokensPerMinute"] = 1000000L,
        };
        foreach (var (name, value) in overrides ?? [])
        {
            parameters[name] = value;
        }

        return infra.DeployMain(parameters);
    }

    private static HashSet<string> SampleSettingNames()
    {
        var path = Path.Combine(BicepCli.InfraDirectory, "..", "local.settings.sample.json");
        using var sample = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path));
        return [.. sample.RootElement.GetProperty("Values").EnumerateObject().Select(p => p.Name)];
    }
}
