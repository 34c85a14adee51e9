using Memic.Azure.Blobs;
using Memic.Azure.Catalog;
using Memic.Azure.Internals;
using Memic.Azure.KeyVault;
using Memic.Azure.Search;
using Memic.Azure.Search.Internals;
using Memic.Core.Ports;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Memic.Azure;

/// <summary>
/// Registers the Azure adapters. Registrations use TryAdd like the embedded ones, so call these before the
/// embedded defaults: whichever registers a port first provides it.
/// </summary>
public static class DependencyInjection
{
    /// <summary>Uploads in Azure Blob Storage, configured under <c>Memic:Blobs</c> (ServiceUri, or ConnectionString for Azurite).</summary>
    public static IServiceCollection AddAzureBlobStore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AzureBlobOptions>().Bind(configuration.GetSection(AzureBlobOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AzureBlobOptions>, AzureBlobOptionsValidation>());
        services.TryAddSingleton<IBlobStore, AzureBlobStore>();
        return services;
    }

    /// <summary>The catalog in Azure Table Storage, configured under <c>Memic:Catalog</c> (ServiceUri, or ConnectionString for Azurite; TablePrefix).</summary>
    public static IServiceCollection AddAzureTableCatalog(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AzureTableOptions>().Bind(configuration.GetSection(AzureTableOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AzureTableOptions>, AzureTableOptionsValidation>());
        services.TryAddSingleton<AzureTableCatalog>();
        services.TryAddSingleton<ITenancyCatalog>(sp => sp.GetRequiredService<AzureTableCatalog>());
        services.TryAddSingleton<IHostSettingsCatalog>(sp => sp.GetRequiredService<AzureTableCatalog>());
        services.TryAddSingleton<IKeyCatalog>(sp => sp.GetRequiredService<AzureTableCatalog>());
        services.TryAddSingleton<IFileCatalog>(sp => sp.GetRequiredService<AzureTableCatalog>());
        services.TryAddSingleton<IFolderCatalog>(sp => sp.GetRequiredService<AzureTableCatalog>());
        services.TryAddSingleton<IUsageCatalog>(sp => sp.GetRequiredService<AzureTableCatalog>());
        services.TryAddSingleton<IPromptCatalog>(sp => sp.GetRequiredService<AzureTableCatalog>());
        return services;
    }

    /// <summary>
    /// API key bindings in Azure Key Vault, configured under <c>Memic:Keys</c> (VaultUri; ClientId for a user-assigned identity).
    /// The app's identity needs Key Vault Secrets Officer on the vault: set, get, delete and purge.
    /// </summary>
    public static IServiceCollection AddKeyVaultKeyStore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<KeyVaultOptions>().Bind(configuration.GetSection(KeyVaultOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KeyVaultOptions>, KeyVaultOptionsValidation>());
        services.TryAddSingleton<IApiKeyStore, KeyVaultKeyStore>();
        return services;
    }

    /// <summary>
    /// The search index in Azure AI Search, one index per environment on the service the registered
    /// <see cref="ISearchServiceLocator"/> places it on (registered apart). Reads <c>Memic:Search</c> (ClientId, retry bounds).
    /// The app's identity needs Search Service Contributor (indexes) and Search Index Data Contributor (documents).
    /// </summary>
    public static IServiceCollection AddAzureAISearchIndex(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AzureAISearchOptions>().Bind(configuration.GetSection(AzureAISearchOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AzureAISearchOptions>, AzureAISearchOptionsValidation>());
        services.TryAddSingleton<ISearchIndex, AzureAISearchIndex>();
        return services;
    }
}
