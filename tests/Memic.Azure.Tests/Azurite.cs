using Memic.Azure.Blobs;
using Memic.Azure.Catalog;
using Microsoft.Extensions.Options;

namespace Memic.Tests;

/// <summary>The adapters' options on Azurite (see tests/Shared/Azurite.cs for the emulator itself).</summary>
internal static partial class Azurite
{
    public static IOptions<AzureTableOptions> TableOptions(string tablePrefix) =>
        Options.Create(new AzureTableOptions { ConnectionString = ConnectionString, TablePrefix = tablePrefix });

    public static IOptions<AzureBlobOptions> BlobOptions() =>
        Options.Create(new AzureBlobOptions { ConnectionString = ConnectionString });

    /// <summary>A name no other test or run uses, valid as a table prefix and as a container name.</summary>
    public static string UniqueName(string kind) => $"{kind}{Guid.NewGuid():N}"[..Math.Min(kind.Length + 20, 40)];
}
