using System.Net;
using System.Net.Http.Json;
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
    private readonly MemicServerFactory _server = new()
    {
        Settings = new Dictionary<string, string>
        {
            ["Memic:Blobs:Provider"] = "AzureBlob",
            ["Memic:Blobs:ConnectionString"] = Azurite.ConnectionString,
            ["Memic:Catalog:Provider"] = "AzureTable",
            ["Memic:Catalog:ConnectionString"] = Azurite.ConnectionString,
            ["Memic:Catalog:TablePrefix"] = "T" + Guid.NewGuid().ToString("N")[..12],
        },
    };

    public ValueTask InitializeAsync() => new(Azurite.RequireAsync());

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
