using System.Net;
using System.Net.Http.Json;
using static Memic.Server.Tests.Wire;

namespace Memic.Server.Tests;

/// <summary>CONTRACT §1: environments are the isolation boundary and keys are bound to exactly one.</summary>
public sealed class TenancyIsolationTests : IClassFixture<MemicServerFactory>
{
    private readonly MemicServerFactory _server;

    public TenancyIsolationTests(MemicServerFactory server) => _server = server;

    [Theory]
    [InlineData("/api/v1/me")]
    [InlineData("/api/v1/sdk/me")]
    public async Task Each_key_sees_only_its_own_environment(string path)
    {
        using var admin = _server.AdminClient();
        var a = await admin.CreateEnvironmentAsync("iso-a-" + path.Length);
        var b = await admin.CreateEnvironmentAsync("iso-b-" + path.Length);

        var meA = await (await _server.DataClient(a.ApiKey).GetAsync(path, Ct)).ExpectAsync(HttpStatusCode.OK);
        var meB = await (await _server.DataClient(b.ApiKey).GetAsync(path, Ct)).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal(a.EnvironmentId, meA.GetProperty("environment_id").GetGuid());
        Assert.Equal(b.EnvironmentId, meB.GetProperty("environment_id").GetGuid());
        Assert.Equal("iso-a-" + path.Length, meA.GetProperty("environment_slug").GetString());
        Assert.Equal(
            ["environment_id", "environment_slug", "organization_id", "organization_name", "project_id", "project_name"],
            meA.EnumerateObject().Select(p => p.Name).Order());
    }

    [Fact]
    public async Task Docs_and_sdk_surfaces_answer_the_same()
    {
        using var admin = _server.AdminClient();
        var (_, key) = await admin.CreateEnvironmentAsync("surfaces");
        using var client = _server.DataClient(key);

        foreach (var route in new[] { "/me", "/projects" })
        {
            var docs = await (await client.GetAsync("/api/v1" + route, Ct)).ExpectAsync(HttpStatusCode.OK);
            var sdk = await (await client.GetAsync("/api/v1/sdk" + route, Ct)).ExpectAsync(HttpStatusCode.OK);
            Assert.Equal(docs.GetRawText(), sdk.GetRawText());
        }
    }

    [Fact]
    public async Task Projects_lists_the_key_organization_projects_as_a_bare_array()
    {
        using var admin = _server.AdminClient();
        var organization = await (await admin.PostAsJsonAsync("/api/admin/v1/organizations", new { name = "Globex" }, Ct)).ExpectAsync(HttpStatusCode.Created);
        var organizationId = organization.GetProperty("id").GetGuid();
        var project = await (await admin.PostAsJsonAsync("/api/admin/v1/projects", new { name = "Manuals", organization_id = organizationId }, Ct)).ExpectAsync(HttpStatusCode.Created);
        var environment = await (await admin.PostAsJsonAsync("/api/admin/v1/environments", new { slug = "globex-prod", project_id = project.GetProperty("id").GetGuid() }, Ct)).ExpectAsync(HttpStatusCode.Created);
        using var client = _server.DataClient(environment.GetProperty("api_key").GetString()!);

        var projects = await (await client.GetAsync("/api/v1/projects", Ct)).ExpectAsync(HttpStatusCode.OK);

        var only = Assert.Single(projects.EnumerateArray());
        Assert.Equal("Manuals", only.GetProperty("name").GetString());
        Assert.Equal(organizationId, only.GetProperty("organization_id").GetGuid());
        Assert.Equal(["created_at", "id", "is_active", "name", "organization_id", "updated_at"], only.EnumerateObject().Select(p => p.Name).Order());
        var me = await (await client.GetAsync("/api/v1/me", Ct)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("Globex", me.GetProperty("organization_name").GetString());
    }

    [Fact]
    public async Task Key_of_a_deleted_environment_gets_401_and_the_other_environment_keeps_working()
    {
        using var admin = _server.AdminClient();
        var doomed = await admin.CreateEnvironmentAsync("doomed");
        var kept = await admin.CreateEnvironmentAsync("kept");
        using var doomedClient = _server.DataClient(doomed.ApiKey);
        await (await doomedClient.GetAsync("/api/v1/me", Ct)).ExpectAsync(HttpStatusCode.OK);

        await (await admin.DeleteAsync($"/api/admin/v1/environments/{doomed.EnvironmentId}", Ct)).ExpectAsync(HttpStatusCode.NoContent);

        await (await doomedClient.GetAsync("/api/v1/me", Ct)).ExpectErrorAsync(HttpStatusCode.Unauthorized, "invalid_api_key");
        await (await admin.GetAsync($"/api/admin/v1/environments/{doomed.EnvironmentId}", Ct)).ExpectErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await admin.GetAsync($"/api/admin/v1/environments/{doomed.EnvironmentId}/keys", Ct)).ExpectErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await _server.DataClient(kept.ApiKey).GetAsync("/api/v1/me", Ct)).ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Revoked_key_gets_401_while_the_environment_other_key_works()
    {
        using var admin = _server.AdminClient();
        var (environmentId, firstKey) = await admin.CreateEnvironmentAsync("revoke");
        var second = await (await admin.PostAsJsonAsync($"/api/admin/v1/environments/{environmentId}/keys", new { name = "ci" }, Ct)).ExpectAsync(HttpStatusCode.Created);
        var secondKey = second.GetProperty("api_key").GetString()!;
        using var client = _server.DataClient(secondKey);
        await (await client.GetAsync("/api/v1/me", Ct)).ExpectAsync(HttpStatusCode.OK);

        await (await admin.DeleteAsync($"/api/admin/v1/keys/{second.GetProperty("id").GetGuid()}", Ct)).ExpectAsync(HttpStatusCode.NoContent);

        await (await client.GetAsync("/api/v1/me", Ct)).ExpectErrorAsync(HttpStatusCode.Unauthorized, "invalid_api_key");
        await (await _server.DataClient(firstKey).GetAsync("/api/v1/me", Ct)).ExpectAsync(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not-a-key")]
    [InlineData("Bearer mk_live_abc")]
    [InlineData("mk_live_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("mk_unknown")]
    public async Task Missing_malformed_or_unknown_key_gets_401_invalid_api_key(string? key)
    {
        using var client = _server.CreateClient();
        if (key is not null)
        {
            client.DefaultRequestHeaders.TryAddWithoutValidation("X-API-Key", key);
        }

        await (await client.GetAsync("/api/v1/sdk/me", Ct)).ExpectErrorAsync(HttpStatusCode.Unauthorized, "invalid_api_key");
    }

    [Fact]
    public async Task Admin_key_is_refused_on_the_data_plane()
    {
        using var client = _server.DataClient(_server.AdminKey);

        await (await client.GetAsync("/api/v1/me", Ct)).ExpectErrorAsync(HttpStatusCode.Unauthorized, "invalid_api_key");
    }

    [Fact]
    public async Task Environment_key_is_refused_on_the_admin_api()
    {
        using var admin = _server.AdminClient();
        var (_, key) = await admin.CreateEnvironmentAsync("not-admin");
        using var client = _server.CreateClient();
        client.DefaultRequestHeaders.Add("X-Admin-Key", key);
        using var both = _server.DataClient(key);
        both.DefaultRequestHeaders.Add("X-Admin-Key", key);

        await (await client.GetAsync("/api/admin/v1/environments", Ct)).ExpectErrorAsync(HttpStatusCode.Unauthorized, "invalid_api_key");
        await (await both.PostAsJsonAsync("/api/admin/v1/organizations", new { name = "x" }, Ct)).ExpectErrorAsync(HttpStatusCode.Unauthorized, "invalid_api_key");
    }

    [Fact]
    public async Task Key_listing_never_reveals_a_key()
    {
        using var admin = _server.AdminClient();
        var (environmentId, key) = await admin.CreateEnvironmentAsync("listing");

        var response = await admin.GetAsync($"/api/admin/v1/environments/{environmentId}/keys", Ct);
        var keys = await response.ExpectAsync(HttpStatusCode.OK);

        var only = Assert.Single(keys.EnumerateArray());
        Assert.Equal(["created_at", "id", "last_used_at", "name", "prefix"], only.EnumerateObject().Select(p => p.Name).Order());
        Assert.StartsWith(only.GetProperty("prefix").GetString()!, key, StringComparison.Ordinal);
        Assert.DoesNotContain(key[12..], keys.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_answers_without_a_key()
    {
        using var client = _server.CreateClient();

        var body = await (await client.GetAsync("/health", Ct)).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("""{"status":"ok"}""", body.GetRawText());
    }

    [Fact]
    public async Task No_plaintext_key_is_written_anywhere_in_the_data_directory()
    {
        using var admin = _server.AdminClient();
        var (environmentId, firstKey) = await admin.CreateEnvironmentAsync("on-disk");
        var second = await (await admin.PostAsJsonAsync($"/api/admin/v1/environments/{environmentId}/keys", new { name = "second" }, Ct)).ExpectAsync(HttpStatusCode.Created);
        var secondKey = second.GetProperty("api_key").GetString()!;
        await (await _server.DataClient(firstKey).GetAsync("/api/v1/me", Ct)).ExpectAsync(HttpStatusCode.OK);
        await (await _server.DataClient(secondKey).GetAsync("/api/v1/me", Ct)).ExpectAsync(HttpStatusCode.OK);

        // Closing pooled connections checkpoints the write-ahead logs into the database files before the scan.
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var files = Directory.EnumerateFiles(_server.DataDirectory, "*", SearchOption.AllDirectories).ToList();

        Assert.Contains(files, f => f.EndsWith("keys.db", StringComparison.Ordinal));
        foreach (var key in new[] { firstKey, secondKey, _server.AdminKey })
        {
            var secret = System.Text.Encoding.ASCII.GetBytes(key["mk_live_".Length..]);
            Assert.All(files, file => Assert.Equal(-1, ReadShared(file).AsSpan().IndexOf(secret)));
        }
    }

    private static byte[] ReadShared(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return copy.ToArray();
        }
        catch (FileNotFoundException)
        {
            // A write-ahead log checkpointed and removed between listing and reading; its pages are in the database file.
            return [];
        }
    }
}
