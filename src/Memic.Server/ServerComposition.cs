using Memic.Azure;
using Memic.Connectors;
using Memic.Core;
using Memic.Embedded;
using Memic.Http;
using Memic.Http.OpenApi;
using Memic.Ingestion;

namespace Memic.Server;

/// <summary>The local host's composition root, shared by the web server and the admin commands.</summary>
internal static class ServerComposition
{
    public const string DefaultUrl = "http://127.0.0.1:8000";
    private const string Embedded = "Embedded";

    public static IServiceCollection AddMemicServer(this IServiceCollection services, IConfiguration configuration) =>
        services
            .AddLocalConnectorDefaults()
            .AddLocalKeyDefaults(configuration)
            .AddMemicCore(configuration)
            .AddChosenStorage(configuration)
            .AddEmbeddedCatalogAndKeys(configuration)
            .AddChosenSearch(configuration)
            .AddEmbeddingProvider(configuration)
            .AddDocumentReading(configuration)
            .AddInProcessIngestion(configuration)
            .AddInProcessProvisioning()
            .AddChatProvider(configuration)
            .AddMemicConnectors()
            .AddPostgreSqlConnectors()
            .AddEmbeddedConnectorSecrets()
            .AddGeneratedOpenApiDocument()
            .AddMemicHttp(configuration);

    /// <summary>
    /// On a laptop the customer's database is usually next door (localhost, a container, the LAN), so connectors may reach
    /// private addresses unless <c>Memic:Connectors:AllowPrivateNetworks</c> says false; registered before Core binds the
    /// setting, which therefore wins.
    /// </summary>
    private static IServiceCollection AddLocalConnectorDefaults(this IServiceCollection services) =>
        services.Configure<Memic.Core.Connectors.ConnectorOptions>(options => options.AllowPrivateNetworks = true);

    /// <summary>Lookups of never-verified keys per second on the local server with its own key store (the Functions app keeps 10).</summary>
    internal const int LocalUnknownKeyLookupsPerSecond = 1000;

    /// <summary>Failed authentications per client address and minute on the local server with its own key store (the Functions app keeps 60).</summary>
    internal const int LocalFailedAuthenticationsPerMinute = 6000;

    /// <summary>
    /// The unknown-key limits protect a shared key store (Key Vault throttles per vault) from floods of random keys. With
    /// the embedded store a lookup is a SQLite read, and the caller is usually one developer whose test suite sends bad
    /// keys on purpose and expects 401s, not 503s or 429s; the limits stay, high enough never to meet that. Registered
    /// before Core binds <c>Memic:Keys</c>, which therefore wins.
    /// </summary>
    private static IServiceCollection AddLocalKeyDefaults(this IServiceCollection services, IConfiguration configuration) =>
        Provider(configuration, "Keys", "KeyVault") == Embedded
            ? services.Configure<Memic.Core.Keys.KeyVerificationOptions>(options =>
            {
                options.MaxUnknownKeyLookupsPerSecond = LocalUnknownKeyLookupsPerSecond;
                options.MaxFailedAuthenticationsPerMinute = LocalFailedAuthenticationsPerMinute;
            })
            : services;

    /// <summary>
    /// The blob store, catalog and key store named by <c>Memic:Blobs:Provider</c> (<c>Embedded</c> | <c>AzureBlob</c>),
    /// <c>Memic:Catalog:Provider</c> (<c>Embedded</c> | <c>AzureTable</c>) and <c>Memic:Keys:Provider</c>
    /// (<c>Embedded</c> | <c>KeyVault</c>), CONTRACT §13. Azure adapters are registered
    /// first; the embedded registrations that follow only fill the ports still open.
    /// </summary>
    private static IServiceCollection AddChosenStorage(this IServiceCollection services, IConfiguration configuration)
    {
        switch (Provider(configuration, "Blobs", "AzureBlob"))
        {
            case "AzureBlob":
                services.AddAzureBlobStore(configuration);
                break;
            default:
                services.AddFileSystemBlobs();
                break;
        }

        if (Provider(configuration, "Catalog", "AzureTable") == "AzureTable")
        {
            services.AddAzureTableCatalog(configuration);
        }

        if (Provider(configuration, "Keys", "KeyVault") == "KeyVault")
        {
            services.AddKeyVaultKeyStore(configuration);
        }

        // The local server limits in process unless several instances must share rate limits and monthly quotas (the Functions app always does).
        if (Provider(configuration, "RateLimits", "AzureTable") == "AzureTable")
        {
            services.AddAzureTableWindowCounter(configuration).AddAzureTableQuotaCounter(configuration);
        }

        return services;
    }

    /// <summary>
    /// The search index named by <c>Memic:Search:Provider</c> (<c>Embedded</c> | <c>AzureAISearch</c>): SQLite per
    /// environment under the data directory, or Azure AI Search on the pool of <c>Memic:Search:Services</c>.
    /// </summary>
    private static IServiceCollection AddChosenSearch(this IServiceCollection services, IConfiguration configuration) =>
        Provider(configuration, "Search", "AzureAISearch") == "AzureAISearch"
            ? services.AddAzureAISearch(configuration)
            : services.AddEmbeddedSearchIndex();

    private static string Provider(IConfiguration configuration, string port, string azure)
    {
        var provider = configuration[$"Memic:{port}:Provider"] is { Length: > 0 } configured ? configured : Embedded;
        return provider == Embedded || provider == azure
            ? provider
            : throw new InvalidOperationException($"Memic:{port}:Provider must be '{Embedded}' or '{azure}', not '{provider}'.");
    }

    /// <summary>Maps the contract's short environment variables (CONTRACT §13) onto configuration keys.</summary>
    public static void AddMemicEnvironmentVariables(this IConfigurationManager configuration)
    {
        if (Environment.GetEnvironmentVariable("MEMIC_DATA_DIR") is { Length: > 0 } dataDir && string.IsNullOrEmpty(configuration["Memic:DataDirectory"]))
        {
            configuration["Memic:DataDirectory"] = dataDir;
        }

        if (Environment.GetEnvironmentVariable("MEMIC_ADMIN_KEY") is { Length: > 0 } adminKey && string.IsNullOrEmpty(configuration["Memic:Keys:AdminKey"]))
        {
            configuration["Memic:Keys:AdminKey"] = adminKey;
        }

        if (Environment.GetEnvironmentVariable("MEMIC_OWNER_PASSWORD") is { Length: > 0 } ownerPassword && string.IsNullOrEmpty(configuration["Memic:Sessions:OwnerPassword"]))
        {
            configuration["Memic:Sessions:OwnerPassword"] = ownerPassword;
        }
    }
}
