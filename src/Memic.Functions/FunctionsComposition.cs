using Memic.Azure;
using Memic.Azure.Queues;
using Memic.Connectors;
using Memic.Core;
using Memic.Core.Chat;
using Memic.Core.Keys;
using Memic.Core.Ports;
using Memic.Functions.Http;
using Memic.Functions.Ingestion;
using Memic.Http;
using Memic.Ingestion;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Memic.Functions;

/// <summary>The Functions app's composition root: the shared surface on the Azure adapters.</summary>
public static class FunctionsComposition
{
    public static IServiceCollection AddMemicFunctionsApp(this IServiceCollection services, IConfiguration configuration) =>
        services
            .AddMemicFunctionServices(configuration)
            .AddAzureStorage(configuration)
            .AddStorageQueueIngestion(configuration)
            .AddStorageQueueProvisioning()
            .AddAzureAISearch(configuration)
            .AddRemoteModels(configuration)
            .AddConnectors()
            .AddHostedService<DefaultProjectSetup>();

    /// <summary>
    /// Everything but the adapters: Core, the shared HTTP surface, document reading, the routes the functions run and
    /// the per-worker ingestion runs. Tests compose it with their own adapters.
    /// </summary>
    public static IServiceCollection AddMemicFunctionServices(this IServiceCollection services, IConfiguration configuration)
    {
        services
            .AddMemicCore(configuration)
            .AddMemicHttp(configuration)
            .AddDocumentReading(configuration);

        // Nothing here can print a generated key once, as the local host does, so the admin key must be given.
        // Requests reach the worker through the platform's front end, which appends the client's address to X-Forwarded-For.
        services.AddOptions<KeyVerificationOptions>()
            .Configure(o => o.TrustForwardedFor = configuration.GetValue($"{KeyVerificationOptions.Section}:TrustForwardedFor", true))
            .Validate(o => !string.IsNullOrEmpty(o.AdminKey),
                "MEMIC_ADMIN_KEY (or Memic:Keys:AdminKey) must be set: the Functions app does not generate an admin key.")
            .ValidateOnStart();
        services.TryAddSingleton<SharedRoutes>();
        services.AddOptions<IngestionFallbackOptions>()
            .Bind(configuration.GetSection(IngestionFallbackOptions.Section))
            .Validate(o => o.ConfirmDelay >= TimeSpan.Zero && o.ConfirmDelay < TimeSpan.FromDays(7),
                $"{IngestionFallbackOptions.Section}:ConfirmDelay must be between 0 and 7 days (a queue message's longest delay).")
            .Validate(o => o.StallThreshold > TimeSpan.Zero,
                $"{IngestionFallbackOptions.Section}:StallThreshold must be positive, and should exceed host.json's functionTimeout.")
            .ValidateOnStart();
        services.TryAddSingleton<IngestionRuns>();
        services.TryAddSingleton<UploadedBlobIngestion>();
        services.TryAddSingleton<StalledIngestionSweep>();
        return services;
    }

    /// <summary>
    /// Connectors (CONTRACT §14): their catalog in Table Storage, their connection strings in Key Vault (both registered by
    /// <see cref="AddAzureStorage"/>), the customer's PostgreSQL reached only at public addresses unless
    /// <c>Memic:Connectors:AllowPrivateNetworks</c> says otherwise.
    /// </summary>
    private static IServiceCollection AddConnectors(this IServiceCollection services) =>
        services.AddMemicConnectors().AddPostgreSqlConnectors();

    /// <summary>Uploads in Blob Storage, the catalog, shared rate limits and quotas in Table Storage, key bindings in Key Vault (CONTRACT §13).</summary>
    private static IServiceCollection AddAzureStorage(this IServiceCollection services, IConfiguration configuration) =>
        services
            .AddAzureBlobStore(configuration)
            .AddAzureTableCatalog(configuration)
            .AddAzureTableWindowCounter(configuration)
            .AddAzureTableQuotaCounter(configuration)
            .AddAzureIngestionSlots(configuration)
            .AddKeyVaultKeyStore(configuration);

    /// <summary>
    /// Confirm writes to a storage queue that <see cref="IngestionFunctions"/> drains. The queue is on the host's storage
    /// account (<c>AzureWebJobsStorage</c>) unless <c>Memic:IngestionQueue</c> names one, and its name is always the
    /// trigger's.
    /// </summary>
    private static IServiceCollection AddStorageQueueIngestion(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddAzureStorageIngestionQueue(configuration);
        services.AddOptions<AzureQueueOptions>().PostConfigure(options =>
        {
            if (options.ServiceUri is null && string.IsNullOrWhiteSpace(options.ConnectionString))
            {
                var host = configuration.GetSection(IngestionFunctions.StorageConnection);
                options.ServiceUri = Uri.TryCreate(host["queueServiceUri"], UriKind.Absolute, out var uri) ? uri : null;
                options.ConnectionString = options.ServiceUri is null ? host.Value : null;
            }

            options.QueueName = AzureQueueOptions.DefaultQueueName;
        });
        services.Replace(ServiceDescriptor.Singleton<IIngestionQueue, FunctionsIngestionQueue>());
        services.AddHostedService<IngestionQueueDepthProbe>();
        return services;
    }

    /// <summary>Environments that need a new search service finish on a storage queue next to the ingestion queue.</summary>
    private static IServiceCollection AddStorageQueueProvisioning(this IServiceCollection services)
    {
        services.TryAddSingleton<IProvisioningQueue, AzureStorageProvisioningQueue>();
        return services;
    }

    /// <summary>Embeddings always come from a remote model here (no local model ships with the app); chat is optional.</summary>
    private static IServiceCollection AddRemoteModels(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOpenAIEmbeddings();
        var chat = configuration.GetSection(ChatModelOptions.Section).GetValue<ChatProvider?>(nameof(ChatModelOptions.Provider)) ?? ChatProvider.None;
        return chat == ChatProvider.None ? services : services.AddOpenAIChat();
    }

    /// <summary>The worker middleware every HTTP function runs in: request ids and error envelopes.</summary>
    public static IFunctionsWorkerApplicationBuilder UseMemicHttpErrors(this IFunctionsWorkerApplicationBuilder builder) =>
        builder.UseMiddleware<HttpErrorMiddleware>();
}
