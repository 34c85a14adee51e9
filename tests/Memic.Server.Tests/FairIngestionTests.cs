using System.Net;
using System.Text;
using System.Text.Json;
using Memic.Embedded.Embeddings;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using static Memic.Server.Tests.Wire;

namespace Memic.Server.Tests;

/// <summary>One environment's backlog never holds every ingestion worker: another environment's upload goes ahead of it.</summary>
public sealed class FairIngestionTests : IDisposable
{
    private readonly GatedEmbedder _gate = new("alpha-backlog");
    private readonly MemicServerFactory _server;

    public FairIngestionTests()
    {
        _server = new MemicServerFactory
        {
            Settings = new Dictionary<string, string> { ["Memic:Ingestion:Concurrency"] = "2" },
            TestServices = services => services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(
                sp => _gate.Wrap(sp.GetRequiredService<MiniLmEmbeddingGenerator>())),
        };
    }

    public void Dispose()
    {
        _gate.Release();
        _server.Dispose();
    }

    private static async Task<Guid> UploadAsync(HttpClient client, string name, string text)
    {
        using var form = new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes(text)), "file", name } };
        var created = await (await client.PostAsync("/api/v1/files", form, Ct)).ExpectAsync(HttpStatusCode.Created);
        return created.GetProperty("id").GetGuid();
    }

    private static async Task<int> ReadyCountAsync(HttpClient client)
    {
        var page = await (await client.GetAsync("/api/v1/files?status=ready&page_size=100", Ct)).ExpectAsync(HttpStatusCode.OK);
        return page.GetProperty("total").GetInt32();
    }

    [Fact]
    public async Task A_later_upload_of_another_environment_is_ready_before_the_tenth_file_of_a_backlog()
    {
        using var admin = _server.AdminClient();
        var (_, keyA) = await admin.CreateEnvironmentAsync("backlog-a");
        var (_, keyB) = await admin.CreateEnvironmentAsync("latecomer-b");
        using var a = _server.DataClient(keyA);
        using var b = _server.DataClient(keyB);
        for (var i = 0; i < 50; i++)
        {
            await UploadAsync(a, $"a-{i}.txt", $"File {i} of the alpha-backlog environment.");
        }

        // Every file of A is held at its embedding step, so A's runs occupy whatever workers A is given.
        await _gate.Held.WaitAsync(TimeSpan.FromMinutes(1), Ct);
        var bFile = await UploadAsync(b, "b.txt", "The latecomer's only file.");

        JsonElement bStatus = await Uploads.WaitForTerminalAsync(b, bFile, ["uploaded"]);
        var aReadyWhenBWasReady = await ReadyCountAsync(a);
        var aRunningAtOnce = _gate.Holding;
        _gate.Release();

        Assert.Equal("ready", bStatus.GetProperty("status").GetString());
        Assert.True(aReadyWhenBWasReady < 10, $"{aReadyWhenBWasReady} of A's files were ready first");
        Assert.Equal(1, aRunningAtOnce);
    }
}
