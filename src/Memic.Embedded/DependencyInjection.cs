using Memic.Core.Ports;
using Memic.Embedded.Blobs;
using Memic.Embedded.Catalog;
using Memic.Embedded.Connectors;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Memic.Embedded.Ingestion;
using Memic.Embedded.Keys;
using Memic.Embedded.Provisioning;
using Memic.Embedded.Search;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Memic.Embedded;

public static class DependencyInjection
{
    /// <summary>Registers the embedded catalog (SQLite) and key store under the data directory.</summary>
    public static IServiceCollection AddEmbeddedCatalogAndKeys(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<EmbeddedOptions>().Bind(configuration.GetSection(EmbeddedOptions.Section))
            .Validate(o => !string.IsNullOrWhiteSpace(o.DataDirectory), "Memic:DataDirectory (MEMIC_DATA_DIR) must not be empty.")
            .ValidateOnStart();

        services.TryAddSingleton<SqliteCatalog>();
        services.TryAddSingleton<ITenancyCatalog>(sp => sp.GetRequiredService<SqliteCatalog>());
        services.TryAddSingleton<IKeyCatalog>(sp => sp.GetRequiredService<SqliteCatalog>());
        services.TryAddSingleton<IHostSettingsCatalog>(sp => sp.GetRequiredService<SqliteCatalog>());
        services.TryAddSingleton<IUserCatalog>(sp => sp.GetRequiredService<SqliteCatalog>());
        services.TryAddSingleton<IFileCatalog>(sp => sp.GetRequiredService<SqliteCatalog>());
        services.TryAddSingleton<IFolderCatalog>(sp => sp.GetRequiredService<SqliteCatalog>());
        services.TryAddSingleton<IUsageCatalog>(sp => sp.GetRequiredService<SqliteCatalog>());
        services.TryAddSingleton<IQuotaCatalog>(sp => sp.GetRequiredService<SqliteCatalog>());
        services.TryAddSingleton<IPromptCatalog>(sp => sp.GetRequiredService<SqliteCatalog>());
        services.TryAddSingleton<IConnectorCatalog>(sp => sp.GetRequiredService<SqliteCatalog>());
        services.TryAddSingleton<IApiKeyStore, SqliteApiKeyStore>();
        return services;
    }

    /// <summary>
    /// Connector connection strings encrypted at rest with Data Protection, its key ring under the data directory. A host
    /// that registered another <see cref="IConnectorSecrets"/> (Key Vault) keeps it.
    /// </summary>
    public static IServiceCollection AddEmbeddedConnectorSecrets(this IServiceCollection services)
    {
        services.AddDataProtection().SetApplicationName("memic");
        services.AddOptions<KeyManagementOptions>().Configure<IOptions<EmbeddedOptions>, ILoggerFactory>((keys, embedded, loggers) =>
            keys.XmlRepository = new FileSystemXmlRepository(
                new DirectoryInfo(Path.Combine(embedded.Value.FullDataDirectory, "data-protection-keys")), loggers));
        services.TryAddSingleton<IConnectorSecrets, DataProtectedConnectorSecrets>();
        return services;
    }

    /// <summary>Registers uploaded blobs as files under the data directory.</summary>
    public static IServiceCollection AddFileSystemBlobs(this IServiceCollection services)
    {
        services.TryAddSingleton<IBlobStore, FileSystemBlobStore>();
        return services;
    }

    /// <summary>Registers one SQLite search index per environment under the data directory.</summary>
    public static IServiceCollection AddEmbeddedSearchIndex(this IServiceCollection services)
    {
        services.TryAddSingleton<ISearchIndex, SqliteSearchIndex>();
        return services;
    }

    /// <summary>Registers the in-process ingestion worker as the ingestion queue and as a hosted service.</summary>
    public static IServiceCollection AddInProcessIngestion(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<IngestionWorkerOptions>()
            .Bind(configuration.GetSection(IngestionWorkerOptions.Section))
            .Validate(o => o.Concurrency is > 0 and <= 64, "Memic:Ingestion:Concurrency must be between 1 and 64.")
            .ValidateOnStart();
        services.TryAddSingleton<InProcessIngestionWorker>();
        services.TryAddSingleton<IIngestionQueue>(sp => sp.GetRequiredService<InProcessIngestionWorker>());
        services.AddHostedService(sp => sp.GetRequiredService<InProcessIngestionWorker>());
        return services;
    }

    /// <summary>Environments whose provisioning takes minutes finish in this process, in the background.</summary>
    public static IServiceCollection AddInProcessProvisioning(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<InProcessProvisioningWorker>();
        services.TryAddSingleton<IProvisioningQueue>(sp => sp.GetRequiredService<InProcessProvisioningWorker>());
        services.AddHostedService(sp => sp.GetRequiredService<InProcessProvisioningWorker>());
        return services;
    }
}
