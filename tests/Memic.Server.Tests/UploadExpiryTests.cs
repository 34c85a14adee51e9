using System.Net;
using static Memic.Server.Tests.Wire;

namespace Memic.Server.Tests;

public sealed class UploadExpiryTests : IDisposable
{
    private readonly MemicServerFactory _server = new() { Settings = new Dictionary<string, string> { ["Memic:Uploads:UrlLifetime"] = "00:00:01" } };

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task Expired_upload_url_gets_403_and_stores_nothing()
    {
        using var admin = _server.AdminClient();
        var (_, key) = await admin.CreateEnvironmentAsync("expiry");
        using var client = _server.DataClient(key);
        var init = await Uploads.InitAsync(client, "late.txt", 4, "text/plain");
        Assert.Equal(1, init.GetProperty("expires_in").GetInt32());

        await Task.Delay(TimeSpan.FromSeconds(2.1), Ct);
        var detail = await (await Uploads.PutAsync(_server, init.GetProperty("upload_url").GetString()!, "late"u8.ToArray(), "text/plain"))
            .ExpectErrorAsync(HttpStatusCode.Forbidden, "forbidden");

        Assert.Contains("expired", detail.GetString(), StringComparison.OrdinalIgnoreCase);
        await (await client.PostAsync($"/api/v1/files/{init.GetProperty("file_id").GetGuid()}/confirm", null, Ct)).ExpectErrorAsync(HttpStatusCode.Conflict, "conflict");
    }
}
