using System.Net.Sockets;
using Memic.Azure.Blobs;
using Memic.Azure.Catalog;
using Microsoft.Extensions.Options;

namespace Memic.Azure.Tests;

/// <summary>
/// The local Azurite these tests run against (blob 127.0.0.1:10000, table 127.0.0.1:10002, the well-known development
/// account). CI starts it; a missing Azurite fails the tests with how to start it, unless MEMIC_SKIP_AZURITE=1 skips them.
/// </summary>
internal static class Azurite
{
    /// <summary>Azurite's published development account and key: not a secret, the same on every machine.</summary>
    public const string ConnectionString =
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
        "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
        "BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;";

    private const int BlobPort = 10000;
    private const int TablePort = 10002;

    private static readonly Lazy<Task<string?>> Unreachable = new(FindUnreachableAsync);

    /// <summary>Call first in every test that needs Azurite.</summary>
    public static async Task RequireAsync()
    {
        if (Environment.GetEnvironmentVariable("MEMIC_SKIP_AZURITE") == "1")
        {
            Assert.Skip("MEMIC_SKIP_AZURITE=1: the Azure Storage adapter tests need Azurite and were skipped.");
        }

        if (await Unreachable.Value is { } endpoint)
        {
            Assert.Fail(
                $"Azurite is not reachable at {endpoint}. Start it from the repository root with: " +
                "npm ci && npx azurite --silent --skipApiVersionCheck --disableTelemetry --blobHost 127.0.0.1 --queueHost 127.0.0.1 " +
                "--tableHost 127.0.0.1 --location /tmp/azurite-data & " +
                "(or set MEMIC_SKIP_AZURITE=1 to skip the Azure Storage adapter tests).");
        }
    }

    public static IOptions<AzureTableOptions> TableOptions(string tablePrefix) =>
        Options.Create(new AzureTableOptions { ConnectionString = ConnectionString, TablePrefix = tablePrefix });

    public static IOptions<AzureBlobOptions> BlobOptions() =>
        Options.Create(new AzureBlobOptions { ConnectionString = ConnectionString });

    /// <summary>A name no other test or run uses, valid as a table prefix and as a container name.</summary>
    public static string UniqueName(string kind) => $"{kind}{Guid.NewGuid():N}"[..Math.Min(kind.Length + 20, 40)];

    private static async Task<string?> FindUnreachableAsync()
    {
        foreach (var port in new[] { BlobPort, TablePort })
        {
            using var client = new TcpClient();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                await client.ConnectAsync("127.0.0.1", port, timeout.Token);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                return $"127.0.0.1:{port}";
            }
        }

        return null;
    }
}
