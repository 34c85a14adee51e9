using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.RegularExpressions;
using Memic.TestDocuments;
using static Memic.Server.Tests.Wire;

namespace Memic.Server.Tests;

/// <summary>
/// A file whose every run dies with the server (a real process, killed -9 mid-run each time) is tried
/// <c>Memic:Ingestion:MaxAttempts</c> times, then failed with a reason on the next start instead of crash-looping it.
/// </summary>
public sealed class PoisonFileRestartTests : IDisposable
{
    private const int MaxAttempts = 3;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly Dictionary<string, string> Settings = new()
    {
        ["Memic__RateLimits__Enabled"] = "false",
        ["Memic__Ingestion__MaxAttempts"] = MaxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("memic-poison-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    [Fact]
    public async Task A_file_whose_runs_keep_killing_the_server_fails_after_MaxAttempts_and_the_server_keeps_serving()
    {
        // Big enough that parsing it takes a while, so each kill lands mid-run.
        var pdf = PdfFixtures.TextPdf([.. Enumerable.Range(1, 400).Select(Page)]);
        string key;
        Guid fileId;
        await using (var first = ServerProcess.StartServer(_dataDirectory, Settings))
        {
            key = (await first.WaitForAsync(ServerProcess.ApiKeyLine(), StartTimeout, Ct)).Groups["key"].Value;
            using var client = Client(await UrlAsync(first), key);
            fileId = await UploadAsync(client, "poison.pdf", pdf, "application/pdf");
            await first.WaitForAsync(RunStarted(fileId), StartTimeout, Ct);
            await WaitForStatusAsync(client, fileId, "parsing_started");
            await first.KillAsync();
        }

        for (var restart = 2; restart <= MaxAttempts; restart++)
        {
            await using var again = ServerProcess.StartServer(_dataDirectory, Settings);

            // The resumed run logs its start only after it recorded its attempt.
            await again.WaitForAsync(RunStarted(fileId), StartTimeout, Ct);
            await again.KillAsync();
        }

        await using var last = ServerProcess.StartServer(_dataDirectory, Settings);
        using var survivor = Client(await UrlAsync(last), key);
        var failed = await Uploads.WaitForTerminalAsync(survivor, fileId, ["parsing_started"]);
        var healthy = await UploadAsync(survivor, "healthy.txt", Encoding.UTF8.GetBytes("The pump room key hangs behind the blue door."), "text/plain");
        var ready = await Uploads.WaitForTerminalAsync(survivor, healthy, ["uploaded"]);

        Assert.Equal("parsing_failed", failed.GetProperty("status").GetString());
        Assert.Equal(
            $"Processing this file stopped {MaxAttempts} times during parsing without finishing (it crashed, ran out of memory or time), so it will not be tried again. Check the file, or split it, and upload it again.",
            failed.GetProperty("error_message").GetString());
        Assert.Equal("ready", ready.GetProperty("status").GetString());
        Assert.DoesNotContain(last.Seen, line => RunStarted(fileId).IsMatch(line));
    }

    private static Regex RunStarted(Guid fileId) => new($"Ingesting file {fileId} ", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    private static async Task<string> UrlAsync(ServerProcess server) =>
        server.Seen.Select(l => ServerProcess.RunningAt().Match(l)).FirstOrDefault(m => m.Success)?.Groups["url"].Value
        ?? (await server.WaitForAsync(ServerProcess.RunningAt(), StartTimeout, Ct)).Groups["url"].Value;

    private static HttpClient Client(string url, string key)
    {
        var client = new HttpClient { BaseAddress = new Uri(url) };
        client.DefaultRequestHeaders.Add("X-API-Key", key);
        return client;
    }

    private static TestPage Page(int number) => new($"Section {number}", [.. Enumerable.Range(0, 30).Select(line =>
        $"Line {line} of page {number}: the inspector checks valve {number * 100 + line} and writes the reading in the log.")]);

    private static async Task<Guid> UploadAsync(HttpClient client, string name, byte[] bytes, string mimeType)
    {
        var init = await (await client.PostAsJsonAsync("/api/v1/files/init", new { filename = name, size = bytes.Length, mime_type = mimeType }, Ct)).ExpectAsync(HttpStatusCode.Created);
        using var anonymous = new HttpClient();
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new(mimeType);
        await (await anonymous.PutAsync(init.GetProperty("upload_url").GetString(), content, Ct)).ExpectAsync(HttpStatusCode.OK);
        var fileId = init.GetProperty("file_id").GetGuid();
        await (await client.PostAsync($"/api/v1/files/{fileId}/confirm", null, Ct)).ExpectAsync(HttpStatusCode.OK);
        return fileId;
    }

    private static async Task WaitForStatusAsync(HttpClient client, Guid fileId, string status)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (true)
        {
            var file = await (await client.GetAsync($"/api/v1/files/{fileId}/status", Ct)).ExpectAsync(HttpStatusCode.OK);
            var current = file.GetProperty("status").GetString();
            if (current == status)
            {
                return;
            }

            Assert.False(Uploads.IsTerminal(current!), $"The file finished ({current}) before the server could be killed in {status}.");
            Assert.True(DateTime.UtcNow < deadline, $"The file never reached {status}.");
            await Task.Delay(20, Ct);
        }
    }
}
