using System.Net.Sockets;

namespace Memic.Tests;

/// <summary>
/// The local Azurite the storage tests run against (blob 127.0.0.1:10000, queue 10001, table 10002, the well-known
/// development account). The README's test command starts it; a missing Azurite fails the tests with how to start it,
/// unless MEMIC_SKIP_AZURITE=1 skips them. Linked into every test project that needs it.
/// </summary>
internal static partial class Azurite
{
    /// <summary>Azurite's published development account and key: not a secret, the same on every machine.</summary>
    public const string ConnectionString =
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
        "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
        "BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;QueueEndpoint=http://127.0.0.1:10001/devstoreaccount1;" +
        "TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;";

    private static readonly int[] Ports = [10000, 10001, 10002];

    private static readonly Lazy<Task<string?>> Unreachable = new(FindUnreachableAsync);

    /// <summary>Call first in every test that needs Azurite.</summary>
    public static async Task RequireAsync()
    {
        if (Environment.GetEnvironmentVariable("MEMIC_SKIP_AZURITE") == "1")
        {
            Assert.Skip("MEMIC_SKIP_AZURITE=1: the tests that need Azurite were skipped.");
        }

        if (await Unreachable.Value is { } endpoint)
        {
            Assert.Fail(
                $"Azurite is not reachable at {endpoint}. Start it from the repository root with: " +
                "npm ci && npx azurite --silent --skipApiVersionCheck --disableTelemetry --blobHost 127.0.0.1 --queueHost 127.0.0.1 " +
                "--tableHost 127.0.0.1 --location /tmp/azurite-data & " +
                "(or set MEMIC_SKIP_AZURITE=1 to skip them).");
        }
    }

    private static async Task<string?> FindUnreachableAsync()
    {
        foreach (var port in Ports)
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
