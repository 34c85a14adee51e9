using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Memic.Core.Ports;
using Microsoft.Extensions.DependencyInjection;
using static Memic.Server.Tests.Wire;

namespace Memic.Server.Tests;

/// <summary>
/// The local server with Azure Blob Storage and Table Storage (on Azurite, which scripts/test.sh starts) in place of
/// the embedded blob store and catalog: the same upload → ready → search flow must work.
/// </summary>
public sealed class AzuriteStorageTests : IAsyncLifetime
{
    private const string ConnectionString =
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
        "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
        "BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;";

    private readonly MemicServerFactory _server = new()
    {
        Settings = new Dictionary<string, string>
        {
            ["Memic:Blobs:Provider"] = "AzureBlob",
            ["Memic:Blobs:ConnectionString"] = ConnectionString,
            ["Memic:Catalog:Provider"] = "AzureTable",
            ["Memic:Catalog:ConnectionString"] = ConnectionString,
            ["Memic:Catalog:TablePrefix"] = "T" + Guid.NewGuid().ToString("N")[..12],
        },
    };

    public async ValueTask InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable("MEMIC_SKIP_AZURITE") == "1")
        {
            Assert.Skip("MEMIC_SKIP_AZURITE=1");
        }

        foreach (var port in new[] { 10000, 10002 })
        {
            using var probe = new TcpClient();
            try
            {
                await probe.ConnectAsync("127.0.0.1", port, Ct);
            }
            catch (SocketException)
            {
                Assert.Fail($"Azurite is not listening on 127.0.0.1:{port}. Run the tests with 'bash scripts/test.sh', which starts it, or start it with 'npm ci && npm run azurite'.");
            }
        }
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task Upload_to_ready_to_search_works_on_azure_storage()
    {
        Assert.Equal("AzureBlobStore", _server.Services.GetRequiredService<IBlobStore>().GetType().Name);
        Assert.Equal("AzureTableCatalog", _server.Services.GetRequiredService<IFileCatalog>().GetType().Name);
        using var admin = _server.AdminClient();
        var (_, key) = await admin.CreateEnvironmentAsync("azurite");
        using var client = _server.DataClient(key);

        var (file, seen) = await Uploads.UploadAndWaitAsync(_server, client, "boiler.md",
            "# Heating\n\nThe boiler must be serviced every twelve months by a certified technician.\n"u8.ToArray(), "text/markdown");
        var search = await (await client.PostAsJsonAsync("/api/v1/search", new { query = "How often does the boiler need servicing?" }, Ct)).ExpectAsync(HttpStatusCode.OK);
        await (await client.DeleteAsync($"/api/v1/files/{file.GetProperty("id").GetGuid()}", Ct)).ExpectAsync(HttpStatusCode.NoContent);
        var afterDelete = await (await client.PostAsJsonAsync("/api/v1/search", new { query = "How often does the boiler need servicing?" }, Ct)).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("ready", file.GetProperty("status").GetString());
        Uploads.AssertMonotonic(seen);
        var first = search.GetProperty("results").GetProperty("semantic")[0];
        Assert.Equal("boiler.md", first.GetProperty("file_name").GetString());
        Assert.True(first.GetProperty("score").GetDouble() >= 0.7);
        Assert.Equal(0, afterDelete.GetProperty("total_results").GetInt32());
    }
}
