using Memic.Azure.Blobs;
using Memic.Azure.KeyVault;
using Memic.Azure.Provisioning;
using Memic.Azure.Queues;
using Memic.Azure.Search;
using Memic.Core.Keys;
using Memic.Azure.Search.Pool;
using Memic.Core.Ports;
using Memic.Functions.Http;
using Memic.Functions.Ingestion;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Memic.Functions.Tests;

/// <summary>The Functions app's composition: Azure adapters, validated on start with messages that name the setting.</summary>
public sealed class CompositionTests
{
    private static readonly string AdminKey = ApiKeyFormat.NewAdminKey();

    /// <summary>What infra/main.bicep gives the app, with Azurite standing in for the storage account's host settings.</summary>
    private static Dictionary<string, string?> AzureSettings() => new()
    {
        ["MEMIC_ADMIN_KEY"] = AdminKey,
        ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
        ["Memic:Blobs:ServiceUri"] = "https://memicstorage.blob.core.windows.net",
        ["Memic:Catalog:ServiceUri"] = "https://memicstorage.table.core.windows.net",
        ["Memic:Keys:VaultUri"] = "https://memic-vault.vault.azure.net/",
        ["Memic:Embeddings:Provider"] = "AzureOpenAI",
        ["Memic:Embeddings:Endpoint"] = "https://memic-openai.openai.azure.com/",
        ["Memic:Embeddings:Model"] = "text-embedding-3-small",
        ["Memic:Search:Services:0:Endpoint"] = "https://srch-memic.search.windows.net",
        ["Memic:Search:Services:0:IndexCapacity"] = "50",
    };

    [Fact]
    public void Complete_settings_start_and_register_every_port()
    {
        var collection = Compose(AzureSettings());
        using var services = collection.BuildServiceProvider();

        Validate(services);

        Assert.Equal(typeof(FunctionsIngestionQueue), collection.Last(d => d.ServiceType == typeof(IIngestionQueue)).ImplementationType);
        Assert.IsType<AzureBlobStore>(services.GetRequiredService<IBlobStore>());
        Assert.IsType<KeyVaultKeyStore>(services.GetRequiredService<IApiKeyStore>());
        Assert.NotNull(services.GetRequiredService<ITenancyCatalog>());
        Assert.NotNull(services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>());
        Assert.NotNull(services.GetRequiredService<IDocumentReader>());
        Assert.Null(services.GetService<IChatClient>());
        Assert.Contains(collection, d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(DefaultProjectSetup));
        Assert.IsType<AzureAISearchIndex>(services.GetRequiredService<ISearchIndex>());
        Assert.IsType<FunctionsIngestionQueue>(services.GetRequiredService<IIngestionQueue>());
        // Every function class resolves from the production composition (no missing service, no dependency cycle).
        var functionClasses = typeof(IngestionFunctions).Assembly.GetExportedTypes()
            .Where(t => t.GetMethods().Any(m => m.GetCustomAttributes(typeof(FunctionAttribute), inherit: false).Length > 0))
            .ToList();
        Assert.Contains(typeof(IngestionFunctions), functionClasses);
        Assert.All(functionClasses, type => Assert.NotNull(ActivatorUtilities.CreateInstance(services, type)));
        Assert.IsType<SearchServicePool>(services.GetRequiredService<ISearchServiceLocator>());
        // Without Memic:Search:Deployment the pool cannot grow, and says so when it is full.
        Assert.DoesNotContain(collection, d => d.ServiceType == typeof(ISearchServiceDeployer));
    }

    [Fact]
    public void The_worker_builds_as_Program_composes_it_with_the_error_middleware()
    {
        var builder = FunctionsApplication.CreateBuilder([]);
        builder.Configuration.AddInMemoryCollection(AzureSettings());
        builder.ConfigureFunctionsWebApplication();
        builder.UseMemicHttpErrors();
        builder.Services.AddMemicFunctionsApp(builder.Configuration);

        using var app = builder.Build();

        Assert.NotNull(app.Services.GetService<HttpErrorMiddleware>());
        app.Services.GetRequiredService<IStartupValidator>().Validate();
    }

    [Fact]
    public void Deployment_settings_let_the_search_pool_grow_through_resource_manager()
    {
        var settings = AzureSettings();
        settings["Memic:Search:Deployment:SubscriptionId"] = "00000000-0000-0000-0000-0000000000bb";
        settings["Memic:Search:Deployment:ResourceGroup"] = "rg-memic";
        using var services = Build(settings);

        Validate(services);

        Assert.IsType<ArmSearchServiceDeployer>(services.GetRequiredService<ISearchServiceDeployer>());
    }

    [Theory]
    [InlineData("Memic:Blobs:ServiceUri", "Memic:Blobs:ServiceUri")]
    [InlineData("Memic:Catalog:ServiceUri", "Memic:Catalog:ServiceUri")]
    [InlineData("Memic:Keys:VaultUri", "Memic:Keys:VaultUri")]
    [InlineData("Memic:Embeddings:Provider", "Memic:Embeddings:Provider")]
    [InlineData("Memic:Embeddings:Endpoint", "Memic:Embeddings:Endpoint")]
    [InlineData("MEMIC_ADMIN_KEY", "MEMIC_ADMIN_KEY")]
    [InlineData("Memic:Search:Services:0:Endpoint", "Memic:Search:Services")]
    [InlineData("AzureWebJobsStorage", "Memic:IngestionQueue:ServiceUri")]
    public void A_missing_setting_stops_start_up_naming_it(string missing, string named)
    {
        var settings = AzureSettings();
        settings.Remove(missing);
        using var services = Build(settings);

        var error = Assert.Throws<OptionsValidationException>(() => Validate(services));

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_chat_provider_registers_the_chat_model_and_its_settings_are_validated()
    {
        var settings = AzureSettings();
        settings["Memic:Chat:Provider"] = "AzureOpenAI";
        using var services = Build(settings);

        var error = Assert.Throws<OptionsValidationException>(() => Validate(services));

        Assert.Contains("Memic:Chat:Model", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_ingestion_queue_is_on_the_hosts_storage_account_through_its_identity()
    {
        var settings = AzureSettings();
        settings.Remove("AzureWebJobsStorage");
        settings["AzureWebJobsStorage:queueServiceUri"] = "https://memicstorage.queue.core.windows.net";
        using var services = Build(settings);

        var options = services.GetRequiredService<IOptions<AzureQueueOptions>>().Value;

        Assert.Equal(new Uri("https://memicstorage.queue.core.windows.net"), options.ServiceUri);
        Assert.Null(options.ConnectionString);
        Assert.Equal(AzureQueueOptions.DefaultQueueName, options.QueueName);
    }

    [Fact]
    public void Locally_the_ingestion_queue_uses_the_hosts_Azurite_connection()
    {
        using var services = Build(AzureSettings());

        var options = services.GetRequiredService<IOptions<AzureQueueOptions>>().Value;

        Assert.Equal("UseDevelopmentStorage=true", options.ConnectionString);
        Assert.Null(options.ServiceUri);
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings) => Compose(settings).BuildServiceProvider();

    private static IServiceCollection Compose(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection()
            .AddLogging()
            .AddSingleton<IConfiguration>(configuration)
            .AddMemicFunctionsApp(configuration);
    }

    /// <summary>What the host runs before it starts: every ValidateOnStart registration.</summary>
    private static void Validate(ServiceProvider services) => services.GetRequiredService<IStartupValidator>().Validate();
}
