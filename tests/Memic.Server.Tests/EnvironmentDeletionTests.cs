using System.Net;
using System.Text;
using Memic.Core.Ports;
using Memic.Embedded.Embeddings;
using Memic.Embedded.Ingestion;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using static Memic.Server.Tests.Wire;

namespace Memic.Server.Tests;

/// <summary>Deleting an environment stops its ingestions, and nothing they do afterwards brings its data back.</summary>
public sealed class EnvironmentDeletionTests : IDisposable
{
    private readonly GatedEmbedder _gate = new("held-mid-run");
    private readonly MemicServerFactory _server;

    public EnvironmentDeletionTests()
    {
        _server = new MemicServerFactory
        {
            TestServices = services => services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(
                sp => _gate.Wrap(sp.GetRequiredService<MiniLmEmbeddingGenerator>())),
        };
    }

    public void Dispose()
    {
        _gate.Release();
        _server.Dispose();
    }

    [Fact]
    public async Task Deleting_an_environment_mid_ingestion_stops_the_run_and_leaves_no_index_blobs_or_chunks()
    {
        using var admin = _server.AdminClient();
        var (environmentId, key) = await admin.CreateEnvironmentAsync("deleted-mid-run");
        using var client = _server.DataClient(key);
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(Encoding.UTF8.GetBytes("A document held-mid-run at its embedding step.")), "file", "held.txt" },
        };
        var file = await (await client.PostAsync("/api/v1/files", form, Ct)).ExpectAsync(HttpStatusCode.Created);
        var fileId = file.GetProperty("id").GetGuid();
        await _gate.Held.WaitAsync(TimeSpan.FromMinutes(1), Ct);

        var deleted = await admin.DeleteAsync($"/api/admin/v1/environments/{environmentId}", Ct);
        _gate.Release();
        var worker = (InProcessIngestionWorker)_server.Services.GetRequiredService<IIngestionQueue>();
        await WaitUntilAsync(() => worker.IsIdle);

        Assert.True(deleted.StatusCode is HttpStatusCode.NoContent or HttpStatusCode.Accepted, $"DELETE answered {(int)deleted.StatusCode}");
        await (await admin.GetAsync($"/api/admin/v1/environments/{environmentId}", Ct)).ExpectErrorAsync(HttpStatusCode.NotFound, "not_found");
        Assert.False(Directory.Exists(Path.Combine(_server.DataDirectory, "environments", environmentId.ToString("D"))), "the index came back");
        Assert.False(Directory.Exists(Path.Combine(_server.DataDirectory, "blobs", "uploads", environmentId.ToString("D"))), "the blobs came back");
        Assert.Empty(await _server.Services.GetRequiredService<ISearchIndex>().GetFileChunksAsync(environmentId, fileId, Ct));
        Assert.Null(await _server.Services.GetRequiredService<IFileCatalog>().GetFileAsync(environmentId, fileId, Ct));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within a minute");
            await Task.Delay(20, Ct);
        }
    }
}
