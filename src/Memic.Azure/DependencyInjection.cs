using Azure.Core;
using Azure.Data.Tables;
using Azure.Search.Documents;
using Azure.Security.KeyVault.Secrets;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Memic.Azure.AI;
using Memic.Azure.Blobs;
using Memic.Azure.Catalog;
using Memic.Azure.Identity;
using Memic.Azure.Internals;
using Memic.Azure.KeyVault;
using Memic.Azure.Limits;
using Memic.Azure.Provisioning;
using Memic.Azure.Provisioning.Internals;
using Memic.Azure.Queues;
using Memic.Azure.Search;
using Memic.Azure.Search.Internals;
using Memic.Azure.Search.Pool;
using Memic.Core;
using Memic.Core.Chat;
using Memic.Core.Embeddings;
using Memic.Core.Ports;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Memic.Azure;

/// <summary>
/// Registers the Azure adapters. Registrations use TryAdd like the embedded ones, so call these before the
/// embedded defaults: whichever registers a port first provides it.
/// </summary>
public static partial class DependencyInjection
{
    /// <summary>
    /// The one <see cref="TokenCredential"/> every Azure client shares (see <see cref="AzureCredentials"/>): the managed
    /// identity of <c>AZURE_CLIENT_ID</c> unless <c>Memic:Azure:ManagedIdentityClientId</c> names another. Each Azure
    /// adapter registers it; it is built on first use and asks for no token until a client needs one. With it come the
    /// defaults of every Azure SDK client registered through Microsoft.Extensions.Azure: this credential and the app's
    /// pipeline (<see cref="AzureClientPipeline"/>). Without <paramref name="configuration"/>, the host's
    /// <see cref="IConfiguration"/> is read.
    /// </summary>
    public static IServiceCollection AddAzureCredential(this IServiceCollection services, IConfiguration? configuration = null)
    {
        if (services.Any(d => d.ServiceType == typeof(IValidateOptions<AzureIdentityOptions>)))
        {
            return services;
        }

        IConfiguration Settings(IServiceProvider sp) => configuration ?? sp.GetRequiredService<IConfiguration>();
        services.AddOptions<AzureIdentityOptions>()
            .Configure<IServiceProvider>((options, sp) => Settings(sp).GetSection(AzureIdentityOptions.Section).Bind(options))
            .PostConfigure<IServiceProvider>((options, sp) => options.ManagedIdentityClientId =
                NullIfBlank(options.ManagedIdentityClientId) ?? NullIfBlank(Settings(sp)[AzureIdentityOptions.ClientIdVariable]))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<AzureIdentityOptions>>(sp => new AzureIdentityOptionsValidation(Settings(sp)));
        services.TryAddSingleton(sp =>
        {
            var clientId = sp.GetRequiredService<IOptions<AzureIdentityOptions>>().Value.ManagedIdentityClientId;
            var credential = AzureCredentials.Create(clientId);
            LogAzureCredential(Loggers(sp).CreateLogger(typeof(AzureCredentials)),
                credential.GetType().Name, clientId ?? "no client id (a system-assigned identity, or a developer login)");
            return credential;
        });

        // Every Azure SDK client is registered through Microsoft.Extensions.Azure, so they share this credential and
        // this pipeline (retries, then the transient-failure mapping).
        services.TryAddSingleton(TimeProvider.System);
        services.AddAzureClients(clients =>
        {
            clients.UseCredential(sp => sp.GetRequiredService<TokenCredential>());
            clients.ConfigureDefaults((options, sp) =>
                AzureClientPipeline.Configure(options, AzureRetrySettings.Default, sp.GetRequiredService<TimeProvider>(), Loggers(sp)));
        });

        // The SDKs' own events (every request at Information) would drown the app's log; their warnings and errors
        // (a credential that cannot get a token, say) still come through. Logging:LogLevel:Azure.Core (or another
        // SDK's category) overrides this for one SDK.
        services.AddLogging(logging => logging.AddFilter("Azure", LogLevel.Warning));
        return services;
    }

    /// <summary>
    /// Registers an Azure SDK client once, through Microsoft.Extensions.Azure, so it gets the app's credential and
    /// pipeline (<see cref="AddAzureCredential"/>); <paramref name="configure"/> adds what only this client needs.
    /// </summary>
    private static IServiceCollection AddAzureClient<TClient, TOptions>(
        this IServiceCollection services,
        IConfiguration? configuration,
        Func<TOptions, TokenCredential, IServiceProvider, TClient> create,
        Action<TOptions, IServiceProvider>? configure = null)
        where TClient : class
        where TOptions : class
    {
        services.AddAzureCredential(configuration);
        if (services.Any(d => d.ServiceType == typeof(TClient)))
        {
            return services;
        }

        services.AddAzureClients(clients =>
        {
            var client = clients.AddClient(create);
            if (configure is not null)
            {
                client.ConfigureOptions(configure);
            }
        });
        return services;
    }

    /// <summary>A storage client on the connection string (Azurite) or the service URI with the app's identity.</summary>
    private static TClient StorageClient<TClient>(string? connectionString, Uri? serviceUri, Func<string, TClient> withConnectionString, Func<Uri, TClient> withIdentity) =>
        serviceUri is null ? withConnectionString(connectionString!) : withIdentity(serviceUri);

    private static IServiceCollection AddTableServiceClient(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AzureTableOptions>().Bind(configuration.GetSection(AzureTableOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AzureTableOptions>, AzureTableOptionsValidation>());
        return services.AddAzureClient<TableServiceClient, TableClientOptions>(configuration, (options, credential, sp) =>
        {
            var settings = sp.GetRequiredService<IOptions<AzureTableOptions>>().Value;
            return StorageClient(settings.ConnectionString, settings.ServiceUri,
                c => new TableServiceClient(c, options), uri => new TableServiceClient(uri, credential, options));
        });
    }

    private static ILoggerFactory Loggers(IServiceProvider services) => services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;

    /// <summary>Uploads in Azure Blob Storage, configured under <c>Memic:Blobs</c> (ServiceUri, or ConnectionString for Azurite).</summary>
    public static IServiceCollection AddAzureBlobStore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AzureBlobOptions>().Bind(configuration.GetSection(AzureBlobOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AzureBlobOptions>, AzureBlobOptionsValidation>());
        services.AddAzureClient<BlobServiceClient, BlobClientOptions>(configuration, (options, credential, sp) =>
        {
            var settings = sp.GetRequiredService<IOptions<AzureBlobOptions>>().Value;
            return StorageClient(settings.ConnectionString, settings.ServiceUri,
                c => new BlobServiceClient(c, options), uri => new BlobServiceClient(uri, credential, options));
        });
        services.TryAddSingleton<IBlobStore, AzureBlobStore>();
        return services;
    }

    /// <summary>The catalog in Azure Table Storage, configured under <c>Memic:Catalog</c> (ServiceUri, or ConnectionString for Azurite; TablePrefix).</summary>
    public static IServiceCollection AddAzureTableCatalog(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddTableServiceClient(configuration).TryAddSingleton<AzureTableCatalog>();
        services.TryAddSingleton<ITenancyCatalog>(sp => sp.GetRequiredService<AzureTableCatalog>());
        services.TryAddSingleton<IHostSettingsCatalog>(sp => sp.GetRequiredService<AzureTableCatalog>());
        services.TryAddSingleton<IUserCatalog>(sp => sp.GetRequiredService<AzureTableCatalog>());
        services.TryAddSingleton<IKeyCatalog>(sp => sp.GetRequiredService<AzureTableCatalog>());
        services.TryAddSingleton<IFileCatalog>(sp => sp.GetRequiredService<AzureTableCatalog>());
        services.TryAddSingleton<IFolderCatalog>(sp => sp.GetRequiredService<AzureTableCatalog>());
        services.TryAddSingleton<IUsageCatalog>(sp => sp.GetRequiredService<AzureTableCatalog>());
        services.TryAddSingleton<IQuotaCatalog>(sp => sp.GetRequiredService<AzureTableCatalog>());
        services.TryAddSingleton<IPromptCatalog>(sp => sp.GetRequiredService<AzureTableCatalog>());
        services.TryAddSingleton<IConnectorCatalog>(sp => sp.GetRequiredService<AzureTableCatalog>());
        services.TryAddSingleton<ISearchPlacementCatalog>(sp => sp.GetRequiredService<AzureTableCatalog>());
        return services;
    }

    /// <summary>
    /// Rate limits shared by every instance, counted in Table Storage beside the catalog (<c>Memic:Catalog</c>: ServiceUri,
    /// or ConnectionString for Azurite; TablePrefix).
    /// </summary>
    public static IServiceCollection AddAzureTableWindowCounter(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddTableServiceClient(configuration).TryAddSingleton<ISharedWindowCounter, AzureTableWindowCounter>();
        return services;
    }

    /// <summary>
    /// Monthly quotas shared by every instance: reservations counted in Table Storage beside the catalog (<c>Memic:Catalog</c>:
    /// ServiceUri, or ConnectionString for Azurite; TablePrefix).
    /// </summary>
    public static IServiceCollection AddAzureTableQuotaCounter(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddTableServiceClient(configuration).TryAddSingleton<ISharedQuotaCounter, AzureTableQuotaCounter>();
        return services;
    }

    /// <summary>
    /// API key bindings and connector connection strings (<c>connector-&lt;id&gt;</c>) in Azure Key Vault, configured under <c>Memic:Keys</c> (VaultUri).
    /// The app's identity needs Key Vault Secrets Officer on the vault: set, get, delete and purge.
    /// </summary>
    public static IServiceCollection AddKeyVaultKeyStore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<KeyVaultOptions>().Bind(configuration.GetSection(KeyVaultOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KeyVaultOptions>, KeyVaultOptionsValidation>());
        services.AddAzureClient<SecretClient, SecretClientOptions>(configuration, (options, credential, sp) =>
            new SecretClient(
                sp.GetRequiredService<IOptions<KeyVaultOptions>>().Value.VaultUri ?? throw new InvalidOperationException($"{KeyVaultOptions.Section}:VaultUri must be set."),
                credential,
                options));
        services.TryAddSingleton<IApiKeyStore, KeyVaultKeyStore>();
        services.TryAddSingleton<IConnectorSecrets, KeyVaultConnectorSecrets>();
        return services;
    }

    /// <summary>
    /// Grows the search pool by deploying infra/search-service.bicep through Azure Resource Manager, configured under
    /// <c>Memic:Search:Deployment</c> (SubscriptionId, ResourceGroup; Location, Sku, ReplicaCount, PartitionCount, …).
    /// The app's identity needs Search Service Contributor and Search Index Data Contributor on that resource group.
    /// </summary>
    public static IServiceCollection AddArmSearchServiceDeployer(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ArmDeploymentOptions>().Bind(configuration.GetSection(ArmDeploymentOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ArmDeploymentOptions>, ArmDeploymentOptionsValidation>());
        services.AddAzureCredential(configuration).TryAddSingleton<ISearchServiceDeployer, ArmSearchServiceDeployer>();
        if (!services.Any(d => d.ServiceType == typeof(ArmRetryRegistered)))
        {
            services.AddSingleton<ArmRetryRegistered>();
            services.AddHttpClient(ArmRetry.HttpClientName).AddResilienceHandler("arm-retry", (pipeline, context) =>
                pipeline.AddArmRetry(Loggers(context.ServiceProvider).CreateLogger<ArmSearchServiceDeployer>()));
        }

        return services;
    }

    /// <summary>
    /// The per-environment cap on concurrent ingestions (<c>Memic:Ingestion:MaxConcurrentPerEnvironment</c>), as slots in a
    /// table next to the catalog's (<c>Memic:Catalog</c>).
    /// </summary>
    public static IServiceCollection AddAzureIngestionSlots(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<IngestionSlotOptions>().Bind(configuration.GetSection(IngestionSlotOptions.Section))
            .Validate(o => o.MaxConcurrentPerEnvironment >= 1, "Memic:Ingestion:MaxConcurrentPerEnvironment must be at least 1.")
            .Validate(o => o.SlotLease > TimeSpan.Zero, "Memic:Ingestion:SlotLease must be positive, and should exceed host.json's functionTimeout.")
            .ValidateOnStart();
        services.AddTableServiceClient(configuration).TryAddSingleton<IIngestionSlots, AzureTableIngestionSlots>();
        return services;
    }

    /// <summary>
    /// The ingestion queue on an Azure Storage queue, configured under <c>Memic:IngestionQueue</c> (ServiceUri, or
    /// ConnectionString for Azurite; QueueName). The app's identity needs Storage Queue Data Contributor.
    /// </summary>
    public static IServiceCollection AddAzureStorageIngestionQueue(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AzureQueueOptions>().Bind(configuration.GetSection(AzureQueueOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AzureQueueOptions>, AzureQueueOptionsValidation>());
        services.AddAzureClient<QueueServiceClient, QueueClientOptions>(
            configuration,
            (options, credential, sp) =>
            {
                var settings = sp.GetRequiredService<IOptions<AzureQueueOptions>>().Value;
                return StorageClient(settings.ConnectionString, settings.ServiceUri,
                    c => new QueueServiceClient(c, options), uri => new QueueServiceClient(uri, credential, options));
            },
            // The encoding the Functions queue trigger reads.
            (options, _) => options.MessageEncoding = QueueMessageEncoding.Base64);
        services.TryAddSingleton<AzureStorageIngestionQueue>();
        services.TryAddSingleton<IIngestionQueue>(sp => sp.GetRequiredService<AzureStorageIngestionQueue>());
        return services;
    }

    /// <summary>
    /// Embeddings from OpenAI, an OpenAI-compatible endpoint or an Azure OpenAI deployment, configured under
    /// <c>Memic:Embeddings</c> (bound and validated on start by Core's <c>AddMemicCore</c>). Registers the embedder
    /// and the <see cref="IEmbeddingModel"/> port it also serves, so the chunker counts tokens the way the model does.
    /// </summary>
    public static IServiceCollection AddOpenAIEmbeddings(this IServiceCollection services)
    {
        services.AddOptions<EmbeddingModelOptions>()
            .Validate(o => o.IsRemote,
                "Memic:Embeddings:Provider (Memic__Embeddings__Provider) must be OpenAI or AzureOpenAI where remote embeddings are registered.")
            .ValidateOnStart();
        services.AddAzureCredential().TryAddSingleton(sp => OpenAIEmbeddingModels.Create(
            sp.GetRequiredService<IOptions<EmbeddingModelOptions>>().Value, sp.GetRequiredService<TokenCredential>, sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>()));
        services.TryAddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(sp => sp.GetRequiredService<OpenAIEmbeddingModel>());
        services.TryAddSingleton<IEmbeddingModel>(sp => sp.GetRequiredService<OpenAIEmbeddingModel>());
        return services;
    }

    /// <summary>
    /// The chat model behind <see cref="IChatClient"/>: OpenAI's chat completions API at any OpenAI-compatible endpoint or
    /// an Azure OpenAI deployment, configured under <c>Memic:Chat</c> (bound and validated on start by Core). Call it only
    /// when a provider is chosen: without a client, answers stay extractive.
    /// </summary>
    public static IServiceCollection AddOpenAIChat(this IServiceCollection services)
    {
        services.AddOptions<ChatModelOptions>()
            .Validate(o => o.Provider != ChatProvider.None,
                "Memic:Chat:Provider (Memic__Chat__Provider) must be OpenAI or AzureOpenAI where a chat model is registered.")
            .ValidateOnStart();
        services.AddAzureCredential().TryAddSingleton(sp => OpenAIChatClients.Create(
            sp.GetRequiredService<IOptions<ChatModelOptions>>().Value, sp.GetRequiredService<TokenCredential>, sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>()));
        return services;
    }

    /// <summary>
    /// The search index in Azure AI Search, one index per environment on the service the registered
    /// <see cref="ISearchServiceLocator"/> places it on (registered apart). Reads <c>Memic:Search</c> (retry bounds).
    /// The app's identity needs Search Service Contributor (indexes) and Search Index Data Contributor (documents).
    /// </summary>
    public static IServiceCollection AddAzureAISearchIndex(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AzureAISearchOptions>().Bind(configuration.GetSection(AzureAISearchOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AzureAISearchOptions>, AzureAISearchOptionsValidation>());
        services.AddAzureClient<SearchIndexClients, SearchClientOptions>(
            configuration,
            (options, credential, _) => new SearchIndexClients(options, credential),
            (options, sp) =>
            {
                var search = sp.GetRequiredService<IOptions<AzureAISearchOptions>>().Value;
                AzureClientPipeline.UseRetry(options,
                    new AzureRetrySettings(search.MaxRetries, search.RetryDelay, search.MaxRetryDelay, search.MaxServerRetryDelay),
                    sp.GetRequiredService<TimeProvider>(), Loggers(sp));
            });
        services.TryAddSingleton<ISearchIndex>(sp => new AzureAISearchIndex(
            sp.GetRequiredService<ISearchServiceLocator>(), sp.GetRequiredService<SearchIndexClients>(),
            sp.GetRequiredService<IOptions<AzureAISearchOptions>>().Value, Loggers(sp).CreateLogger<AzureAISearchIndex>()));
        return services;
    }

    /// <summary>
    /// Search on Azure AI Search, as a host chooses it with <c>Memic:Search:Provider=AzureAISearch</c>: an index per
    /// environment, placed on the pool of <c>Memic:Search:Services</c>, and pool growth through Azure Resource Manager
    /// when <c>Memic:Search:Deployment:SubscriptionId</c> is set (without it a full pool is an error that says so).
    /// </summary>
    public static IServiceCollection AddAzureAISearch(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddAzureAISearchIndex(configuration).AddSearchServicePool(configuration);
        if (!string.IsNullOrWhiteSpace(configuration[$"{ArmDeploymentOptions.Section}:{nameof(ArmDeploymentOptions.SubscriptionId)}"]))
        {
            services.AddArmSearchServiceDeployer(configuration);
        }

        return services;
    }

    /// <summary>
    /// The pool of Azure AI Search services indexes are placed on (<c>Memic:Search</c>), as <see cref="ISearchServiceLocator"/>.
    /// Placements are kept by the Azure Table catalog (<see cref="AddAzureTableCatalog"/>); the pool grows only when an
    /// <see cref="ISearchServiceDeployer"/> is registered.
    /// </summary>
    public static IServiceCollection AddSearchServicePool(this IServiceCollection services, IConfiguration configuration)
    {
        const string NeedsTableCatalog = "Memic:Search:Provider=AzureAISearch needs Memic:Catalog:Provider=AzureTable: the search pool " +
                                         "records which service holds each environment's index in the catalog's tables.";
        services.AddOptions<SearchPoolOptions>().Bind(configuration.GetSection(SearchPoolOptions.Section))
            .Validate<IServiceProviderIsService>((_, registered) => registered.IsService(typeof(ISearchPlacementCatalog)), NeedsTableCatalog)
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SearchPoolOptions>, SearchPoolOptionsValidation>());
        services.TryAddSingleton(TimeProvider.System);

        // Built by hand so that a missing catalog is reported with every other pool setting at fault (reading the options
        // validates them), rather than by the container's own check of what it can construct.
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<SearchPoolOptions>>();
            _ = options.Value;
            return new SearchServicePool(
                sp.GetService<ISearchPlacementCatalog>() ?? throw new InvalidOperationException(NeedsTableCatalog),
                sp.GetServices<ISearchServiceDeployer>(),
                options,
                sp.GetRequiredService<TimeProvider>(),
                Loggers(sp).CreateLogger<SearchServicePool>());
        });
        services.TryAddSingleton<ISearchServiceLocator>(sp => sp.GetRequiredService<SearchServicePool>());
        return services;
    }

    /// <summary>Marks the ARM client's retry handler as added, so calling the registration twice adds it once.</summary>
    private sealed class ArmRetryRegistered;

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    [LoggerMessage(Level = LogLevel.Information, Message = "Azure clients authenticate with {Credential} as {Identity}")]
    private static partial void LogAzureCredential(ILogger logger, string credential, string identity);
}
