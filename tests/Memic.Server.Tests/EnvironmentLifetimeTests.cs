using System.Net;
using System.Net.Http.Json;
using static Memic.Server.Tests.Wire;

namespace Memic.Server.Tests;

/// <summary>CONTRACT §16: short-lived environments stop serving at expiry and are deleted within 5 minutes of it.</summary>
public sealed class EnvironmentLifetimeTests : IClassFixture<EnvironmentLifetimeTests.SweepingServer>
{
    private readonly MemicServerFactory _server;

    public EnvironmentLifetimeTests(SweepingServer fixture) => _server = fixture.Server;

    /// <summary>A server sweeping every 2 seconds, so a test sees the sweep without waiting minutes.</summary>
    public sealed class SweepingServer : IDisposable
    {
        public MemicServerFactory Server { get; } = new()
        {
            Settings = new Dictionary<string, string> { ["Memic:Environments:SweepInterval"] = "00:00:02" },
        };

        public void Dispose() => Server.Dispose();
    }

    [Fact]
    public async Task An_environment_with_a_20_second_lifetime_refuses_its_key_right_after_expiry_and_is_gone_within_5_minutes()
    {
        using var admin = _server.AdminClient();
        var expiresAt = DateTimeOffset.UtcNow.AddSeconds(20);
        var created = await (await admin.PostAsJsonAsync("/api/admin/v1/environments", new { slug = "short-lived", expires_at = expiresAt.ToString("O") }, Ct)).ExpectAsync(HttpStatusCode.Created);
        var environmentId = created.GetProperty("environment").GetProperty("id").GetGuid();
        Assert.Equal(expiresAt.ToUnixTimeSeconds(), created.GetProperty("environment").GetProperty("expires_at").GetDateTimeOffset().ToUnixTimeSeconds());
        using var data = _server.DataClient(created.GetProperty("api_key").GetString()!);
        await (await data.GetAsync("/api/v1/me", Ct)).ExpectAsync(HttpStatusCode.OK);

        await Uploads.WaitUntilAsync(() => Task.FromResult(DateTimeOffset.UtcNow > expiresAt), TimeSpan.FromSeconds(30));
        var afterExpiry = await data.GetAsync("/api/v1/me", Ct);

        await afterExpiry.ExpectErrorAsync(HttpStatusCode.Unauthorized, "invalid_api_key");
        await Uploads.WaitUntilAsync(async () => (await admin.GetAsync($"/api/admin/v1/environments/{environmentId}", Ct)).StatusCode == HttpStatusCode.NotFound, TimeSpan.FromMinutes(5));
    }

    [Fact]
    public async Task Environments_carry_expires_at_and_null_means_never()
    {
        using var admin = _server.AdminClient();
        var (environmentId, _) = await admin.CreateEnvironmentAsync("forever");

        var single = await (await admin.GetAsync($"/api/admin/v1/environments/{environmentId}", Ct)).ExpectAsync(HttpStatusCode.OK);
        var listed = await (await admin.GetAsync("/api/admin/v1/environments", Ct)).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal(System.Text.Json.JsonValueKind.Null, single.GetProperty("expires_at").ValueKind);
        Assert.All(listed.EnumerateArray(), e => Assert.True(e.TryGetProperty("expires_at", out _)));
    }

    [Fact]
    public async Task Ttl_hours_sets_expires_at_from_now()
    {
        using var admin = _server.AdminClient();
        var before = DateTimeOffset.UtcNow;

        var created = await (await admin.PostAsJsonAsync("/api/admin/v1/environments", new { slug = "preview-ttl", ttl_hours = 72 }, Ct)).ExpectAsync(HttpStatusCode.Created);

        var expiresAt = created.GetProperty("environment").GetProperty("expires_at").GetDateTimeOffset();
        Assert.InRange(expiresAt, before.AddHours(72).AddSeconds(-1), DateTimeOffset.UtcNow.AddHours(72).AddSeconds(1));
    }

    [Theory]
    [InlineData("""{"slug": "both", "expires_at": "2099-01-01T00:00:00Z", "ttl_hours": 1}""", "ttl_hours")]
    [InlineData("""{"slug": "past", "expires_at": "2001-01-01T00:00:00Z"}""", "expires_at")]
    [InlineData("""{"slug": "no-offset", "expires_at": "2099-01-01T00:00:00"}""", "expires_at")]
    [InlineData("""{"slug": "zero-ttl", "ttl_hours": 0}""", "ttl_hours")]
    public async Task A_lifetime_that_is_both_past_unzoned_or_empty_is_422(string body, string field)
    {
        using var admin = _server.AdminClient();

        var detail = await (await admin.PostAsync("/api/admin/v1/environments", Json(body), Ct)).ExpectErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");

        Assert.Contains(detail.EnumerateArray(), d => d.GetProperty("loc").EnumerateArray().Last().GetString() == field);
    }

    [Fact]
    public async Task Patch_renews_and_clears_the_lifetime()
    {
        using var admin = _server.AdminClient();
        var created = await (await admin.PostAsJsonAsync("/api/admin/v1/environments", new { slug = "renewed", ttl_hours = 1 }, Ct)).ExpectAsync(HttpStatusCode.Created);
        var environmentId = created.GetProperty("environment").GetProperty("id").GetGuid();

        var renewed = await (await admin.PatchAsync($"/api/admin/v1/environments/{environmentId}", Json("""{"expires_at": "2099-06-01T12:00:00Z"}"""), Ct)).ExpectAsync(HttpStatusCode.OK);
        var cleared = await (await admin.PatchAsync($"/api/admin/v1/environments/{environmentId}", Json("""{"expires_at": null}"""), Ct)).ExpectAsync(HttpStatusCode.OK);
        var read = await (await admin.GetAsync($"/api/admin/v1/environments/{environmentId}", Ct)).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal(new DateTimeOffset(2099, 6, 1, 12, 0, 0, TimeSpan.Zero), renewed.GetProperty("expires_at").GetDateTimeOffset());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, cleared.GetProperty("expires_at").ValueKind);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, read.GetProperty("expires_at").ValueKind);
        await (await admin.PatchAsync($"/api/admin/v1/environments/{Guid.NewGuid()}", Json("{}"), Ct)).ExpectErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task A_renewed_lifetime_keeps_the_key_working_past_the_old_expiry()
    {
        using var admin = _server.AdminClient();
        var expiresAt = DateTimeOffset.UtcNow.AddSeconds(3);
        var created = await (await admin.PostAsJsonAsync("/api/admin/v1/environments", new { slug = "lapsed", expires_at = expiresAt.ToString("O") }, Ct)).ExpectAsync(HttpStatusCode.Created);
        var environmentId = created.GetProperty("environment").GetProperty("id").GetGuid();
        using var data = _server.DataClient(created.GetProperty("api_key").GetString()!);

        await (await admin.PatchAsync($"/api/admin/v1/environments/{environmentId}", JsonContent.Create(new { ttl_hours = 1 }), Ct)).ExpectAsync(HttpStatusCode.OK);
        await Uploads.WaitUntilAsync(() => Task.FromResult(DateTimeOffset.UtcNow > expiresAt.AddSeconds(3)), TimeSpan.FromSeconds(30));

        await (await data.GetAsync("/api/v1/me", Ct)).ExpectAsync(HttpStatusCode.OK);
        await (await admin.GetAsync($"/api/admin/v1/environments/{environmentId}", Ct)).ExpectAsync(HttpStatusCode.OK);
    }
}
