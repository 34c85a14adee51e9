using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Memic.Azure.Blobs;
using Memic.Azure.Catalog;
using Memic.Azure.Internals;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Memic.Tests;

/// <summary>The adapters' options on Azurite (see tests/Shared/Azurite.cs for the emulator itself).</summary>
internal static partial class Azurite
{
    public static IOptions<AzureTableOptions> TableOptions(string tablePrefix) =>
        Options.Create(new AzureTableOptions { ConnectionString = ConnectionString, TablePrefix = tablePrefix });

    public static IOptions<AzureBlobOptions> BlobOptions() =>
        Options.Create(new AzureBlobOptions { ConnectionString = ConnectionString });

    /// <summary>Clients on Azurite with the production pipeline (retries, then the transient-failure mapping).</summary>
    public static TableServiceClient TableService() => new(ConnectionString, Pipeline(new TableClientOptions()));

    public static BlobServiceClient BlobService() => new(ConnectionString, Pipeline(new BlobClientOptions()));

    private static T Pipeline<T>(T options)
        where T : global::Azure.Core.ClientOptions =>
        AzureClientPipeline.Configure(options, AzureRetrySettings.Default, TimeProvider.System, NullLoggerFactory.Instance);

    /// <summary>A name no other test or run uses, valid as a table prefix and as a container name.</summary>
    public static string UniqueName(string kind) => $"{kind}{Guid.NewGuid():N}"[..Math.Min(kind.Length + 20, 40)];
}
