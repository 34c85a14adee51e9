using Memic.Core;
using Memic.Embedded;
using Memic.Embedded.Embeddings;
using Memic.Http;
using Memic.Ingestion;

namespace Memic.Server;

/// <summary>The local host's composition root, shared by the web server and the admin commands.</summary>
internal static class ServerComposition
{
    public const string DefaultUrl = "http://127.0.0.1:8000";

    public static IServiceCollection AddMemicServer(this IServiceCollection services, IConfiguration configuration) =>
        services
            .AddMemicCore(configuration)
            .AddEmbeddedCatalogAndKeys(configuration)
            .AddFileSystemBlobs()
            .AddEmbeddedSearchIndex()
            .AddMiniLmEmbeddings()
            .AddDocumentReading(configuration)
            .AddInProcessIngestion(configuration)
            .AddChatProvider(configuration)
            .AddMemicHttp(configuration);

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
    }
}
