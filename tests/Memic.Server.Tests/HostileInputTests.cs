using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Memic.TestDocuments;
using static Memic.Server.Tests.Wire;

namespace Memic.Server.Tests;

/// <summary>
/// The hostile-input suite end to end (issue 9): every generated hostile file, uploaded to a real server process, ends
/// failed with a reason (or ready, where it parses within the limits); the server's memory stays within its baseline
/// plus the extraction budget; another environment keeps ingesting and answering meanwhile; and after a kill -9 in the
/// middle of a storm, a restart finishes or fails every file without crashing again.
/// </summary>
public sealed class HostileInputTests(ITestOutputHelper output) : IDisposable
{
    private const int ExtractionBudgetMb = 512;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StormTimeout = TimeSpan.FromMinutes(8);

    private static readonly Dictionary<string, string> Settings = new()
    {
        ["Memic__RateLimits__Enabled"] = "false",
        ["Memic__Extraction__MaxMemoryMB"] = ExtractionBudgetMb.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Memic__Extraction__Timeout"] = "00:00:30",
        ["Memic__Ingestion__Concurrency"] = "2",
    };

    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("memic-hostile-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    [Fact]
    public async Task Hostile_uploads_fail_with_reasons_within_the_memory_budget_while_another_environment_keeps_working_and_a_kill_resumes_nothing_into_a_crash()
    {
        string adminKey, stormKey, bystanderKey, secondStormKey;
        var storm = new List<(HostileDocument Document, Guid FileId)>();
        var secondStorm = new List<Guid>();
        await using (var server = ServerProcess.StartServer(_dataDirectory, Settings))
        {
            adminKey = (await server.WaitForAsync(ServerProcess.AdminKeyLine(), StartTimeout, Ct)).Groups["key"].Value;
            var url = server.Seen.Select(l => ServerProcess.RunningAt().Match(l)).Single(m => m.Success).Groups["url"].Value;
            using var admin = AdminClient(url, adminKey);
            stormKey = await CreateEnvironmentAsync(admin, "storm");
            bystanderKey = await CreateEnvironmentAsync(admin, "bystander");
            secondStormKey = await CreateEnvironmentAsync(admin, "second-storm");
            using var stormClient = DataClient(url, stormKey);
            using var bystander = DataClient(url, bystanderKey);

            // Baseline: the model loaded and one file indexed, so what follows measures the storm alone.
            var calm = await UploadAsync(bystander, "calm.txt", "text/plain", "The lighthouse keeper logs the tide every evening."u8.ToArray());
            Assert.Equal("ready", await WaitForTerminalAsync(bystander, calm, TimeSpan.FromSeconds(60)));
            var serverPid = server.ApplicationProcessId();
            var baselineKb = ProcStatusKb(serverPid, "VmRSS");

            // Act: the storm, and a bystander's upload in the middle of it.
            foreach (var document in HostileDocuments.All())
            {
                if (await UploadHostileAsync(stormClient, document) is { } fileId)
                {
                    storm.Add((document, fileId));
                }
            }

            var during = await UploadAsync(bystander, "during.txt", "text/plain", "The ferry to the island leaves at seven from pier four."u8.ToArray());

            // Assert: the bystander is served within a minute and its searches answer throughout.
            Assert.Equal("ready", await WaitForTerminalAsync(bystander, during, TimeSpan.FromSeconds(60)));
            var hits = await SearchAsync(bystander, "When does the ferry leave?");
            Assert.Contains(hits, hit => hit.Contains("ferry", StringComparison.Ordinal));

            foreach (var (document, fileId) in storm)
            {
                var file = await WaitForFileAsync(stormClient, fileId, StormTimeout);
                var status = file.GetProperty("status").GetString()!;
                Assert.True(status == "ready" || status.EndsWith("_failed", StringComparison.Ordinal), $"{document.Name}: {status}");
                if (status != "ready")
                {
                    var reason = file.GetProperty("error_message").GetString();
                    Assert.False(string.IsNullOrWhiteSpace(reason), $"{document.Name} failed without a reason");
                    Assert.DoesNotContain("   at ", reason, StringComparison.Ordinal);
                }

                output.WriteLine($"{document.Name}: {status}{(status == "ready" ? "" : $" ({file.GetProperty("error_message").GetString()})")}");
            }

            Assert.False(server.HasExited);
            var peakKb = ProcStatusKb(serverPid, "VmHWM");
            var grownMb = (peakKb - baselineKb) / 1024;
            output.WriteLine($"Server RSS: baseline {baselineKb / 1024} MB, peak {peakKb / 1024} MB, grown {grownMb} MB (extraction budget {ExtractionBudgetMb} MB)");
            Assert.True(grownMb <= ExtractionBudgetMb, $"The server grew by {grownMb} MB over its baseline of {baselineKb / 1024} MB (budget {ExtractionBudgetMb} MB)");

            // A second storm, killed with -9 once a hostile file is being parsed.
            using var secondClient = DataClient(url, secondStormKey);
            foreach (var document in HostileDocuments.All())
            {
                if (await UploadHostileAsync(secondClient, document) is { } fileId)
                {
                    secondStorm.Add(fileId);
                }
            }

            // Most hostile files fail within milliseconds of being taken, so a poll can miss every parsing_started:
            // the storm is under way once any file is being parsed or has finished.
            await Uploads.WaitUntilAsync(
                async () => (await Uploads.StatusesAsync(secondClient, secondStorm)).Any(s => s == "parsing_started" || Uploads.IsTerminal(s)),
                TimeSpan.FromMinutes(4));
            await server.KillAsync();
        }

        await using var restarted = ServerProcess.StartServer(_dataDirectory, Settings);
        var restartedUrl = (await restarted.WaitForAsync(ServerProcess.RunningAt(), StartTimeout, Ct)).Groups["url"].Value;
        using var again = DataClient(restartedUrl, secondStormKey);
        using var bystanderAgain = DataClient(restartedUrl, bystanderKey);

        await Uploads.WaitUntilAsync(async () => (await Uploads.StatusesAsync(again, secondStorm)).All(Uploads.IsTerminal), StormTimeout);
        Assert.False(restarted.HasExited);
        var after = await SearchAsync(bystanderAgain, "When does the ferry leave?");
        Assert.Contains(after, hit => hit.Contains("ferry", StringComparison.Ordinal));
    }

    private static HttpClient AdminClient(string url, string adminKey)
    {
        var client = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromMinutes(2) };
        client.DefaultRequestHeaders.Add("X-Admin-Key", adminKey);
        return client;
    }

    private static HttpClient DataClient(string url, string key)
    {
        var client = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromMinutes(2) };
        client.DefaultRequestHeaders.Add("X-API-Key", key);
        return client;
    }

    private static async Task<string> CreateEnvironmentAsync(HttpClient admin, string slug)
    {
        var created = await (await admin.PostAsJsonAsync("/api/admin/v1/environments", new { slug }, Ct)).ExpectAsync(HttpStatusCode.Created);
        return created.GetProperty("api_key").GetString()!;
    }

    private static async Task<Guid> UploadAsync(HttpClient client, string fileName, string mimeType, byte[] bytes)
    {
        var part = new ByteArrayContent(bytes);
        part.Headers.ContentType = MediaTypeHeaderValue.Parse(mimeType);
        using var form = new MultipartFormDataContent { { part, "file", fileName } };
        var created = await (await client.PostAsync("/api/v1/files", form, Ct)).ExpectAsync(HttpStatusCode.Created);
        return created.GetProperty("id").GetGuid();
    }

    /// <summary>
    /// Uploads a hostile file; null when the server refuses its type before any bytes are kept (images where OCR is not
    /// installed), which is a 400 invalid_file_type in the envelope and loses nothing.
    /// </summary>
    private static async Task<Guid?> UploadHostileAsync(HttpClient client, HostileDocument document)
    {
        var part = new ByteArrayContent(document.Content);
        part.Headers.ContentType = MediaTypeHeaderValue.Parse(document.MimeType);
        using var form = new MultipartFormDataContent { { part, "file", document.FileName } };
        using var response = await client.PostAsync("/api/v1/files", form, Ct);
        if (response.StatusCode == HttpStatusCode.BadRequest)
        {
            var refused = await response.ExpectAsync(HttpStatusCode.BadRequest);
            Assert.Equal("invalid_file_type", refused.GetProperty("code").GetString());
            return null;
        }

        return (await response.ExpectAsync(HttpStatusCode.Created)).GetProperty("id").GetGuid();
    }

    private static async Task<List<string>> SearchAsync(HttpClient client, string query)
    {
        var body = await (await client.PostAsJsonAsync("/api/v1/search", new { query, min_score = 0.0 }, Ct)).ExpectAsync(HttpStatusCode.OK);
        return [.. body.GetProperty("results").GetProperty("semantic").EnumerateArray().Select(r => r.GetProperty("content").GetString()!)];
    }

    private static async Task<JsonElement> WaitForFileAsync(HttpClient client, Guid fileId, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var file = await (await client.GetAsync($"/api/v1/files/{fileId}", Ct)).ExpectAsync(HttpStatusCode.OK);
            var status = file.GetProperty("status").GetString()!;
            if (Uploads.IsTerminal(status))
            {
                return file;
            }

            Assert.True(DateTime.UtcNow < deadline, $"File {fileId} still {status} after {timeout}");
            await Task.Delay(100, Ct);
        }
    }

    private static async Task<string> WaitForTerminalAsync(HttpClient client, Guid fileId, TimeSpan timeout) =>
        (await WaitForFileAsync(client, fileId, timeout)).GetProperty("status").GetString()!;

    /// <summary>A field of /proc/&lt;pid&gt;/status in kB (VmRSS: resident now; VmHWM: the peak since start).</summary>
    private static long ProcStatusKb(int pid, string field)
    {
        var line = File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
    }
}
