using System.Net;
using System.Net.Http.Json;
using System.Text;
using Memic.Embedded;
using Memic.Embedded.Search;
using Microsoft.Extensions.Options;
using static Memic.Server.Tests.Wire;

namespace Memic.Server.Tests;

/// <summary>A real server process killed in the middle of ingesting a batch, then started again on the same data.</summary>
public sealed class IngestionRestartTests : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly Dictionary<string, string> NoRateLimits = new() { ["Memic__RateLimits__Enabled"] = "false" };
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("memic-kill-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    [Fact]
    public async Task Killed_mid_batch_every_file_reaches_a_terminal_status_without_duplicate_chunks()
    {
        const int files = 8;
        string key;
        var fileIds = new List<Guid>();
        await using (var first = ServerProcess.StartServer(_dataDirectory, NoRateLimits))
        {
            key = (await first.WaitForAsync(ServerProcess.ApiKeyLine(), StartTimeout, Ct)).Groups["key"].Value;
            var url = first.Seen.Select(l => ServerProcess.RunningAt().Match(l)).Single(m => m.Success).Groups["url"].Value;
            using var client = Client(url, key);
            for (var i = 0; i < files; i++)
            {
                fileIds.Add(await UploadAsync(client, $"batch-{i}.txt", Document(i)));
            }

            // Kill once ingestion is under way but not finished: some files done, some not.
            await Uploads.WaitUntilAsync(async () =>
            {
                var statuses = await Uploads.StatusesAsync(client, fileIds);
                return statuses.Any(s => s == "ready") && statuses.Any(s => !Uploads.IsTerminal(s));
            }, TimeSpan.FromMinutes(3));
        }

        await using var second = ServerProcess.StartServer(_dataDirectory, NoRateLimits);
        var secondUrl = (await second.WaitForAsync(ServerProcess.RunningAt(), StartTimeout, Ct)).Groups["url"].Value;
        using var again = Client(secondUrl, key);
        await Uploads.WaitUntilAsync(async () => (await Uploads.StatusesAsync(again, fileIds)).All(Uploads.IsTerminal), TimeSpan.FromMinutes(5));

        var index = new SqliteSearchIndex(Options.Create(new EmbeddedOptions { DataDirectory = _dataDirectory }));
        var me = await (await again.GetAsync("/api/v1/me", Ct)).ExpectAsync(HttpStatusCode.OK);
        var environmentId = me.GetProperty("environment_id").GetGuid();
        foreach (var fileId in fileIds)
        {
            var file = await (await again.GetAsync($"/api/v1/files/{fileId}", Ct)).ExpectAsync(HttpStatusCode.OK);
            Assert.Equal("ready", file.GetProperty("status").GetString());
            var chunks = await index.GetFileChunksAsync(environmentId, fileId, Ct);
            Assert.Equal(file.GetProperty("total_chunks").GetInt32(), chunks.Count);
            Assert.Equal(Enumerable.Range(0, chunks.Count), chunks.Select(c => c.ChunkIndex));
        }
    }

    private static HttpClient Client(string url, string key)
    {
        var client = new HttpClient { BaseAddress = new Uri(url) };
        client.DefaultRequestHeaders.Add("X-API-Key", key);
        return client;
    }

    private static byte[] Document(int seed) => Encoding.UTF8.GetBytes(string.Join("\n\n", Enumerable.Range(0, 150).Select(p =>
        $"Section {seed}.{p}. The maintenance procedure for unit {seed * 1000 + p} requires checking the valves, recording the pressure, and signing the log before the next shift begins.")));

    private static async Task<Guid> UploadAsync(HttpClient client, string name, byte[] bytes)
    {
        var init = await (await client.PostAsJsonAsync("/api/v1/files/init", new { filename = name, size = bytes.Length, mime_type = "text/plain" }, Ct)).ExpectAsync(HttpStatusCode.Created);
        using var anonymous = new HttpClient();
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new("text/plain");
        await (await anonymous.PutAsync(init.GetProperty("upload_url").GetString(), content, Ct)).ExpectAsync(HttpStatusCode.OK);
        var fileId = init.GetProperty("file_id").GetGuid();
        await (await client.PostAsync($"/api/v1/files/{fileId}/confirm", null, Ct)).ExpectAsync(HttpStatusCode.OK);
        return fileId;
    }
}
