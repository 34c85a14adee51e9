using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using static Memic.Server.Tests.Wire;

namespace Memic.Server.Tests;

/// <summary>The client side of the upload flow (CONTRACT §3), as the SDK performs it.</summary>
internal static class Uploads
{
    /// <summary>The 16 statuses in pipeline order (CONTRACT §4).</summary>
    public static readonly string[] StatusOrder =
    [
        "uploading", "uploaded", "upload_failed",
        "conversion_started", "conversion_complete", "conversion_failed",
        "parsing_started", "parsing_complete", "parsing_failed",
        "chunking_started", "chunking_complete", "chunking_failed",
        "embedding_started", "embedding_complete", "embedding_failed",
        "ready",
    ];

    public static bool IsTerminal(string status) => status == "ready" || status.EndsWith("_failed", StringComparison.Ordinal);

    public static async Task<JsonElement> InitAsync(HttpClient client, string filename, long size, string mimeType, object? extra = null)
    {
        var body = new Dictionary<string, object?> { ["filename"] = filename, ["size"] = size, ["mime_type"] = mimeType };
        if (extra is not null)
        {
            foreach (var property in JsonSerializer.SerializeToElement(extra).EnumerateObject())
            {
                body[property.Name] = property.Value;
            }
        }

        return await (await client.PostAsJsonAsync("/api/v1/files/init", body, Ct)).ExpectAsync(HttpStatusCode.Created);
    }

    /// <summary>PUTs bytes to an upload URL exactly as the SDK does: only a Content-Type header, no API key.</summary>
    public static async Task<HttpResponseMessage> PutAsync(MemicServerFactory server, string uploadUrl, byte[] bytes, string mimeType)
    {
        using var anonymous = server.CreateClient();
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(mimeType);
        var url = new Uri(uploadUrl);
        return await anonymous.PutAsync(url.PathAndQuery, content, Ct);
    }

    /// <summary>init → PUT → confirm, then polls until the file is ready or failed. Returns the final file and every status seen.</summary>
    public static async Task<(JsonElement File, List<string> Seen)> UploadAndWaitAsync(
        MemicServerFactory server, HttpClient client, string filename, byte[] bytes, string mimeType, object? extra = null)
    {
        var init = await InitAsync(client, filename, bytes.Length, mimeType, extra);
        var fileId = init.GetProperty("file_id").GetGuid();
        Assert.Equal(3600, init.GetProperty("expires_in").GetInt32());
        await (await PutAsync(server, init.GetProperty("upload_url").GetString()!, bytes, mimeType)).ExpectAsync(HttpStatusCode.OK);
        var confirmed = await (await client.PostAsync($"/api/v1/files/{fileId}/confirm", null, Ct)).ExpectAsync(HttpStatusCode.OK);
        var seen = new List<string> { "uploading", confirmed.GetProperty("status").GetString()! };
        return (await WaitForTerminalAsync(client, fileId, seen), seen);
    }

    public static async Task<JsonElement> WaitForTerminalAsync(HttpClient client, Guid fileId, List<string> seen)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (true)
        {
            var file = await (await client.GetAsync($"/api/v1/sdk/files/{fileId}/status", Ct)).ExpectAsync(HttpStatusCode.OK);
            var status = file.GetProperty("status").GetString()!;
            Assert.Contains(status, StatusOrder);
            if (seen[^1] != status)
            {
                seen.Add(status);
            }

            if (IsTerminal(status))
            {
                return file;
            }

            Assert.True(DateTime.UtcNow < deadline, $"File {fileId} still {status} after 3 minutes");
            await Task.Delay(20, Ct);
        }
    }

    /// <summary>Statuses only move forward through the pipeline's order.</summary>
    public static void AssertMonotonic(IReadOnlyList<string> seen)
    {
        var positions = seen.Select(s => Array.IndexOf(StatusOrder, s)).ToList();
        Assert.All(positions, p => Assert.True(p >= 0));
        Assert.Equal(positions.Order(), positions);
    }

    /// <summary>The current status of each file, in order.</summary>
    public static async Task<List<string>> StatusesAsync(HttpClient client, IEnumerable<Guid> fileIds)
    {
        var statuses = new List<string>();
        foreach (var id in fileIds)
        {
            var file = await (await client.GetAsync($"/api/v1/files/{id}/status", Ct)).ExpectAsync(HttpStatusCode.OK);
            statuses.Add(file.GetProperty("status").GetString()!);
        }

        return statuses;
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails the test after <paramref name="timeout"/>.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Condition not met within {timeout}");
            await Task.Delay(50, Ct);
        }
    }
}
