using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using static Memic.Server.Tests.Wire;

namespace Memic.Server.Tests;

/// <summary>CONTRACT §17: quotas per environment, checked before work starts, with current use shown beside them.</summary>
public sealed class QuotaTests : IDisposable
{
    private readonly MemicServerFactory _server = new()
    {
        Settings = new Dictionary<string, string> { ["Memic:RateLimits:Enabled"] = "false" },
    };

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task Quotas_are_unlimited_by_default_and_get_shows_what_put_set_beside_current_use()
    {
        using var admin = _server.AdminClient();
        var (environmentId, key) = await admin.CreateEnvironmentAsync("metered");
        using var client = _server.DataClient(key);
        await (await client.PostAsJsonAsync("/api/v1/search", new { query = "anything" }, Ct)).ExpectAsync(HttpStatusCode.OK);
        await InitAsync(client, "a.txt", 40);

        var before = await (await admin.GetAsync($"/api/admin/v1/environments/{environmentId}/quotas", Ct)).ExpectAsync(HttpStatusCode.OK);
        var put = await (await admin.PutAsJsonAsync($"/api/admin/v1/environments/{environmentId}/quotas",
            new { max_files = 10, max_storage_bytes = 1_000_000, max_monthly_searches = 500, max_monthly_chats = (int?)null, max_monthly_embedding_tokens = 20_000 }, Ct))
            .ExpectAsync(HttpStatusCode.OK);
        var after = await (await admin.GetAsync($"/api/admin/v1/environments/{environmentId}/quotas", Ct)).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal(JsonValueKind.Null, before.GetProperty("max_monthly_searches").ValueKind);
        Assert.Equal(put.GetRawText(), after.GetRawText());
        Assert.Equal(environmentId, after.GetProperty("environment_id").GetGuid());
        Assert.Equal(10, after.GetProperty("max_files").GetInt64());
        Assert.Equal(1_000_000, after.GetProperty("max_storage_bytes").GetInt64());
        Assert.Equal(500, after.GetProperty("max_monthly_searches").GetInt64());
        Assert.Equal(JsonValueKind.Null, after.GetProperty("max_monthly_chats").ValueKind);
        Assert.Equal(20_000, after.GetProperty("max_monthly_embedding_tokens").GetInt64());
        var usage = after.GetProperty("usage");
        Assert.Equal(1, usage.GetProperty("files").GetInt64());
        Assert.Equal(40, usage.GetProperty("storage_bytes").GetInt64());
        Assert.Equal(1, usage.GetProperty("monthly_searches").GetInt64());
        Assert.Equal(0, usage.GetProperty("monthly_chats").GetInt64());
        var resetsAt = after.GetProperty("resets_at").GetDateTimeOffset();
        Assert.Equal(1, resetsAt.Day);
        Assert.Equal(TimeSpan.Zero, resetsAt.TimeOfDay);
        Assert.True(resetsAt > DateTimeOffset.UtcNow && resetsAt <= DateTimeOffset.UtcNow.AddDays(31));
    }

    [Fact]
    public async Task A_search_over_the_monthly_quota_answers_429_quota_exceeded_naming_the_quota_and_its_reset()
    {
        using var admin = _server.AdminClient();
        var (environmentId, key) = await admin.CreateEnvironmentAsync("searchy");
        var (_, otherKey) = await admin.CreateEnvironmentAsync("other");
        await SetQuotasAsync(admin, environmentId, new { max_monthly_searches = 2 });
        using var client = _server.DataClient(key);

        for (var i = 0; i < 2; i++)
        {
            await (await client.PostAsJsonAsync("/api/v1/search", new { query = "boilers" }, Ct)).ExpectAsync(HttpStatusCode.OK);
        }

        var refused = await client.PostAsJsonAsync("/api/v1/sdk/search", new { query = "boilers" }, Ct);
        var detail = (await refused.ExpectErrorAsync(HttpStatusCode.TooManyRequests, "quota_exceeded")).GetString()!;
        var other = await _server.DataClient(otherKey).PostAsJsonAsync("/api/v1/search", new { query = "boilers" }, Ct);

        Assert.Contains("max_monthly_searches", detail, StringComparison.Ordinal);
        Assert.Contains("resets at", detail, StringComparison.Ordinal);
        Assert.NotNull(refused.Headers.RetryAfter?.Delta);
        await other.ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_chat_over_the_monthly_quota_answers_429_quota_exceeded()
    {
        using var admin = _server.AdminClient();
        var (environmentId, key) = await admin.CreateEnvironmentAsync("chatty");
        await SetQuotasAsync(admin, environmentId, new { max_monthly_chats = 1 });
        using var client = _server.DataClient(key);
        await (await client.PostAsJsonAsync("/api/v1/chat", new { question = "What is serviced?" }, Ct)).ExpectAsync(HttpStatusCode.OK);

        var refused = await client.PostAsJsonAsync("/api/v1/chat", new { question = "What is serviced?" }, Ct);

        var detail = (await refused.ExpectErrorAsync(HttpStatusCode.TooManyRequests, "quota_exceeded")).GetString()!;
        Assert.Contains("max_monthly_chats", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_init_is_refused_over_max_files_and_over_max_storage_bytes_and_frees_up_on_delete()
    {
        using var admin = _server.AdminClient();
        var (environmentId, key) = await admin.CreateEnvironmentAsync("uploads");
        await SetQuotasAsync(admin, environmentId, new { max_files = 2, max_storage_bytes = 100 });
        using var client = _server.DataClient(key);
        var first = await InitAsync(client, "a.txt", 30);

        var tooBig = await client.PostAsJsonAsync("/api/v1/files/init", new { filename = "big.txt", size = 71, mime_type = "text/plain" }, Ct);
        var tooBigDetail = (await tooBig.ExpectErrorAsync(HttpStatusCode.TooManyRequests, "quota_exceeded")).GetString()!;
        await InitAsync(client, "b.txt", 70);
        var tooMany = await client.PostAsJsonAsync("/api/v1/files/init", new { filename = "c.txt", size = 1, mime_type = "text/plain" }, Ct);
        var tooManyDetail = (await tooMany.ExpectErrorAsync(HttpStatusCode.TooManyRequests, "quota_exceeded")).GetString()!;
        await (await client.DeleteAsync($"/api/v1/files/{first}", Ct)).ExpectAsync(HttpStatusCode.NoContent);
        var afterDelete = await client.PostAsJsonAsync("/api/v1/files/init", new { filename = "c.txt", size = 1, mime_type = "text/plain" }, Ct);

        Assert.Contains("max_storage_bytes", tooBigDetail, StringComparison.Ordinal);
        Assert.Contains("max_files", tooManyDetail, StringComparison.Ordinal);
        Assert.Contains("deleted", tooManyDetail, StringComparison.Ordinal);
        await afterDelete.ExpectAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Confirm_and_one_call_upload_are_refused_once_the_embedding_token_quota_is_used()
    {
        using var admin = _server.AdminClient();
        var (environmentId, key) = await admin.CreateEnvironmentAsync("tokens");
        await SetQuotasAsync(admin, environmentId, new { max_monthly_embedding_tokens = 0 });
        using var client = _server.DataClient(key);
        var (fileId, uploadUrl) = await InitWithUrlAsync(client, "a.txt", 5);
        await (await Uploads.PutAsync(_server, uploadUrl, "hello"u8.ToArray(), "text/plain")).ExpectAsync(HttpStatusCode.OK);

        var confirm = await client.PostAsync($"/api/v1/files/{fileId}/confirm", content: null, Ct);
        using var form = new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes("hello")), "file", "b.txt" } };
        var upload = await client.PostAsync("/api/v1/files", form, Ct);

        var detail = (await confirm.ExpectErrorAsync(HttpStatusCode.TooManyRequests, "quota_exceeded")).GetString()!;
        Assert.Contains("max_monthly_embedding_tokens", detail, StringComparison.Ordinal);
        await upload.ExpectErrorAsync(HttpStatusCode.TooManyRequests, "quota_exceeded");
    }

    [Fact]
    public async Task Negative_quotas_are_422_and_an_unknown_environment_is_404()
    {
        using var admin = _server.AdminClient();
        var (environmentId, _) = await admin.CreateEnvironmentAsync("checked");

        var negative = await admin.PutAsJsonAsync($"/api/admin/v1/environments/{environmentId}/quotas", new { max_files = -1 }, Ct);
        var unknown = await admin.GetAsync($"/api/admin/v1/environments/{Guid.NewGuid()}/quotas", Ct);

        await negative.ExpectAsync(HttpStatusCode.UnprocessableEntity);
        await unknown.ExpectErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    private static async Task SetQuotasAsync(HttpClient admin, Guid environmentId, object quotas) =>
        await (await admin.PutAsJsonAsync($"/api/admin/v1/environments/{environmentId}/quotas", quotas, Ct)).ExpectAsync(HttpStatusCode.OK);

    private static async Task<Guid> InitAsync(HttpClient client, string name, long size) => (await InitWithUrlAsync(client, name, size)).FileId;

    private static async Task<(Guid FileId, string UploadUrl)> InitWithUrlAsync(HttpClient client, string name, long size)
    {
        var init = await (await client.PostAsJsonAsync("/api/v1/files/init", new { filename = name, size, mime_type = "text/plain" }, Ct)).ExpectAsync(HttpStatusCode.Created);
        return (init.GetProperty("file_id").GetGuid(), init.GetProperty("upload_url").GetString()!);
    }
}
