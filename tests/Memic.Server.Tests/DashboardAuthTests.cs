using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using static Memic.Server.Tests.Wire;

namespace Memic.Server.Tests;

/// <summary>CONTRACT §15 and docs/dashboard-auth.md: sign-in, sessions, antiforgery, lockout and users of one organization.</summary>
public sealed class DashboardAuthTests : IClassFixture<OwnerPasswordServer>
{
    public const string OwnerPassword = OwnerPasswordServer.OwnerPassword;

    private readonly MemicServerFactory _server;

    public DashboardAuthTests(OwnerPasswordServer fixture) => _server = fixture.Server;

    [Fact]
    public async Task Owner_signs_in_gets_a_strict_http_only_cookie_and_signs_out()
    {
        using var client = _server.CreateClient();

        var login = await DashboardSession.PostLoginAsync(client, "Owner@Localhost", OwnerPassword);
        var body = await login.ExpectAsync(HttpStatusCode.OK);

        var cookie = Assert.Single(login.Headers.GetValues("Set-Cookie"), c => c.StartsWith("memic_session=", StringComparison.Ordinal)).ToLowerInvariant();
        Assert.Contains("httponly", cookie, StringComparison.Ordinal);
        Assert.Contains("samesite=strict", cookie, StringComparison.Ordinal);
        Assert.Contains("path=/", cookie, StringComparison.Ordinal);
        Assert.DoesNotContain("secure", cookie, StringComparison.Ordinal);
        Assert.Equal("owner@localhost", body.GetProperty("user").GetProperty("email").GetString());
        Assert.Equal("owner", body.GetProperty("user").GetProperty("role").GetString());
        var token = body.GetProperty("antiforgery_token").GetString();
        Assert.False(string.IsNullOrEmpty(token));

        var me = await (await client.GetAsync("/api/auth/v1/me", Ct)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(token, me.GetProperty("antiforgery_token").GetString());

        using var logout = new HttpRequestMessage(HttpMethod.Post, "/api/auth/v1/logout");
        logout.Headers.Add("X-XSRF-TOKEN", token);
        await (await client.SendAsync(logout, Ct)).ExpectAsync(HttpStatusCode.NoContent);
        await (await client.GetAsync("/api/auth/v1/me", Ct)).ExpectErrorAsync(HttpStatusCode.Unauthorized, "not_signed_in");
    }

    [Fact]
    public async Task A_wrong_password_and_an_unknown_email_are_the_same_401()
    {
        using var client = _server.CreateClient();

        var wrong = await DashboardSession.PostLoginAsync(client, "owner@localhost", "not-the-password");
        var unknown = await DashboardSession.PostLoginAsync(client, "nobody@example.com", "not-the-password");

        var wrongDetail = await wrong.ExpectErrorAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        var unknownDetail = await unknown.ExpectErrorAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        Assert.Equal(wrongDetail.GetString(), unknownDetail.GetString());
        Assert.False(wrong.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task Ten_failures_for_one_email_lock_it_even_for_the_right_password_and_leave_others_alone()
    {
        using var admin = _server.AdminClient();
        var organizationId = await DefaultOrganizationAsync(admin);
        await CreateUserAsync(admin, organizationId, "locked@example.com", "member", "the-right-password");
        await CreateUserAsync(admin, organizationId, "unlocked@example.com", "member", "the-right-password");
        using var client = _server.CreateClient();

        for (var i = 0; i < 10; i++)
        {
            await (await DashboardSession.PostLoginAsync(client, "locked@example.com", "wrong-" + i)).ExpectErrorAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        }

        var locked = await DashboardSession.PostLoginAsync(client, "locked@example.com", "the-right-password");

        await locked.ExpectErrorAsync(HttpStatusCode.TooManyRequests, "rate_limit_exceeded");
        Assert.InRange(int.Parse(locked.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture), 1, 15 * 60);
        await (await DashboardSession.PostLoginAsync(client, "unlocked@example.com", "the-right-password")).ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_cookie_write_without_the_right_antiforgery_token_is_403()
    {
        using var session = await DashboardSession.SignInAsync(_server, "owner@localhost", OwnerPassword);

        var missing = await session.SendAsync(session.Write(HttpMethod.Post, "/api/admin/v1/environments", new { slug = "xsrf-missing" }, antiforgery: null));
        var wrong = await session.SendAsync(session.Write(HttpMethod.Post, "/api/admin/v1/environments", new { slug = "xsrf-wrong" }, antiforgery: "not-the-token"));
        var right = await session.SendAsync(session.Write(HttpMethod.Post, "/api/admin/v1/environments", new { slug = "xsrf-right" }));

        await missing.ExpectErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        await wrong.ExpectErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        await right.ExpectAsync(HttpStatusCode.Created);
        using var admin = _server.AdminClient();
        var slugs = (await (await admin.GetAsync("/api/admin/v1/environments", Ct)).ExpectAsync(HttpStatusCode.OK)).EnumerateArray().Select(e => e.GetProperty("slug").GetString()).ToArray();
        Assert.DoesNotContain("xsrf-missing", slugs);
        Assert.DoesNotContain("xsrf-wrong", slugs);
    }

    [Fact]
    public async Task The_admin_key_needs_no_antiforgery_token()
    {
        using var admin = _server.AdminClient();

        await (await admin.PostAsJsonAsync("/api/admin/v1/environments", new { slug = "admin-no-xsrf" }, Ct)).ExpectAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Users_are_created_listed_and_deleted_and_a_deleted_users_session_ends()
    {
        using var admin = _server.AdminClient();
        var organizationId = await DefaultOrganizationAsync(admin);

        var created = await CreateUserAsync(admin, organizationId, "Crud@Example.com", "admin", "crud-password");
        Assert.Equal(["created_at", "email", "id", "role"], created.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal("crud@example.com", created.GetProperty("email").GetString());
        var duplicate = await admin.PostAsJsonAsync($"/api/admin/v1/organizations/{organizationId}/users", new { email = "crud@example.com", role = "member", password = "another-password" }, Ct);
        await duplicate.ExpectErrorAsync(HttpStatusCode.Conflict, "conflict");
        using var session = await DashboardSession.SignInAsync(_server, "crud@example.com", "crud-password");
        var listed = await (await admin.GetAsync($"/api/admin/v1/organizations/{organizationId}/users", Ct)).ExpectAsync(HttpStatusCode.OK);
        Assert.Contains(listed.EnumerateArray(), u => u.GetProperty("email").GetString() == "crud@example.com");
        Assert.DoesNotContain("password", listed.GetRawText(), StringComparison.OrdinalIgnoreCase);

        await (await admin.DeleteAsync($"/api/admin/v1/users/{created.GetProperty("id").GetGuid()}", Ct)).ExpectAsync(HttpStatusCode.NoContent);

        await (await session.GetAsync("/api/auth/v1/me")).ExpectErrorAsync(HttpStatusCode.Unauthorized, "not_signed_in");
        await (await session.GetAsync("/api/admin/v1/environments")).ExpectErrorAsync(HttpStatusCode.Unauthorized, "not_signed_in");
    }

    [Fact]
    public async Task A_member_reads_but_cannot_create_keys_environments_or_users()
    {
        using var admin = _server.AdminClient();
        var organizationId = await DefaultOrganizationAsync(admin);
        var (environmentId, _) = await admin.CreateEnvironmentAsync("member-reads");
        await CreateUserAsync(admin, organizationId, "member@example.com", "member", "member-password");
        using var member = await DashboardSession.SignInAsync(_server, "member@example.com", "member-password");

        await (await member.GetAsync("/api/admin/v1/environments")).ExpectAsync(HttpStatusCode.OK);
        await (await member.GetAsync($"/api/admin/v1/environments/{environmentId}/keys")).ExpectAsync(HttpStatusCode.OK);
        var key = await member.SendAsync(member.Write(HttpMethod.Post, $"/api/admin/v1/environments/{environmentId}/keys", new { name = "nope" }));
        var environment = await member.SendAsync(member.Write(HttpMethod.Post, "/api/admin/v1/environments", new { slug = "member-made" }));
        var user = await member.SendAsync(member.Write(HttpMethod.Post, $"/api/admin/v1/organizations/{organizationId}/users", new { email = "x@example.com", role = "member", password = "x-password" }));
        var delete = await member.SendAsync(member.Write(HttpMethod.Delete, $"/api/admin/v1/environments/{environmentId}"));

        await key.ExpectErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        await environment.ExpectErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        await user.ExpectErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        await delete.ExpectErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        var keys = await (await admin.GetAsync($"/api/admin/v1/environments/{environmentId}/keys", Ct)).ExpectAsync(HttpStatusCode.OK);
        Assert.Single(keys.EnumerateArray());
    }

    [Fact]
    public async Task An_admin_manages_keys_and_members_but_only_an_owner_creates_an_owner()
    {
        using var admin = _server.AdminClient();
        var organizationId = await DefaultOrganizationAsync(admin);
        var (environmentId, _) = await admin.CreateEnvironmentAsync("admin-manages");
        await CreateUserAsync(admin, organizationId, "org-admin@example.com", "admin", "admin-password");
        using var orgAdmin = await DashboardSession.SignInAsync(_server, "org-admin@example.com", "admin-password");
        using var owner = await DashboardSession.SignInAsync(_server, "owner@localhost", OwnerPassword);

        var key = await (await orgAdmin.SendAsync(orgAdmin.Write(HttpMethod.Post, $"/api/admin/v1/environments/{environmentId}/keys", new { name = "ci" }))).ExpectAsync(HttpStatusCode.Created);
        await (await orgAdmin.SendAsync(orgAdmin.Write(HttpMethod.Post, $"/api/admin/v1/organizations/{organizationId}/users", new { email = "made-by-admin@example.com", role = "member", password = "member-password" }))).ExpectAsync(HttpStatusCode.Created);
        var ownerByAdmin = await orgAdmin.SendAsync(orgAdmin.Write(HttpMethod.Post, $"/api/admin/v1/organizations/{organizationId}/users", new { email = "owner-by-admin@example.com", role = "owner", password = "owner-password" }));
        var ownerByOwner = await owner.SendAsync(owner.Write(HttpMethod.Post, $"/api/admin/v1/organizations/{organizationId}/users", new { email = "owner-by-owner@example.com", role = "owner", password = "owner-password" }));

        await ownerByAdmin.ExpectErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        await ownerByOwner.ExpectAsync(HttpStatusCode.Created);
        using var data = _server.DataClient(key.GetProperty("api_key").GetString()!);
        await (await data.GetAsync("/api/v1/me", Ct)).ExpectAsync(HttpStatusCode.OK);
        await (await orgAdmin.SendAsync(orgAdmin.Write(HttpMethod.Delete, $"/api/admin/v1/keys/{key.GetProperty("id").GetGuid()}"))).ExpectAsync(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task Another_organizations_environments_keys_and_users_are_unknown_to_a_user()
    {
        using var admin = _server.AdminClient();
        var defaultOrganization = await DefaultOrganizationAsync(admin);
        var (theirs, theirKey) = await admin.CreateEnvironmentAsync("not-yours");
        var theirKeyId = (await (await admin.GetAsync($"/api/admin/v1/environments/{theirs}/keys", Ct)).ExpectAsync(HttpStatusCode.OK))[0].GetProperty("id").GetGuid();
        var organization = await (await admin.PostAsJsonAsync("/api/admin/v1/organizations", new { name = "Initech" }, Ct)).ExpectAsync(HttpStatusCode.Created);
        var organizationId = organization.GetProperty("id").GetGuid();
        await (await admin.PostAsJsonAsync("/api/admin/v1/projects", new { name = "Initech docs", organization_id = organizationId }, Ct)).ExpectAsync(HttpStatusCode.Created);
        await CreateUserAsync(admin, organizationId, "owner@initech.example", "owner", "initech-password");
        using var outsider = await DashboardSession.SignInAsync(_server, "owner@initech.example", "initech-password");

        var own = await (await outsider.SendAsync(outsider.Write(HttpMethod.Post, "/api/admin/v1/environments", new { slug = "initech-prod" }))).ExpectAsync(HttpStatusCode.Created);
        var listed = await (await outsider.GetAsync("/api/admin/v1/environments")).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal(organizationId, own.GetProperty("environment").GetProperty("organization_id").GetGuid());
        Assert.Equal(["initech-prod"], listed.EnumerateArray().Select(e => e.GetProperty("slug").GetString()));
        await (await outsider.GetAsync($"/api/admin/v1/environments/{theirs}")).ExpectErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await outsider.GetAsync($"/api/admin/v1/environments/{theirs}/keys")).ExpectErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await outsider.SendAsync(outsider.Write(HttpMethod.Delete, $"/api/admin/v1/keys/{theirKeyId}"))).ExpectErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await outsider.SendAsync(outsider.Write(HttpMethod.Delete, $"/api/admin/v1/environments/{theirs}"))).ExpectErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await outsider.GetAsync($"/api/admin/v1/organizations/{defaultOrganization}/users")).ExpectErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await outsider.GetAsync("/api/v1/me", environmentId: theirs)).ExpectErrorAsync(HttpStatusCode.NotFound, "not_found");
        var organizations = await outsider.SendAsync(outsider.Write(HttpMethod.Post, "/api/admin/v1/organizations", new { name = "Another" }));
        await organizations.ExpectErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        using var data = _server.DataClient(theirKey);
        await (await data.GetAsync("/api/v1/me", Ct)).ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task The_data_plane_takes_the_cookie_and_an_environment_of_the_users_organization()
    {
        using var admin = _server.AdminClient();
        var organizationId = await DefaultOrganizationAsync(admin);
        var (environmentId, _) = await admin.CreateEnvironmentAsync("cookie-data");
        await CreateUserAsync(admin, organizationId, "reader@example.com", "member", "reader-password");
        using var owner = await DashboardSession.SignInAsync(_server, "owner@localhost", OwnerPassword);
        using var reader = await DashboardSession.SignInAsync(_server, "reader@example.com", "reader-password");

        var me = await (await owner.GetAsync("/api/v1/me", environmentId)).ExpectAsync(HttpStatusCode.OK);
        var folder = await owner.SendAsync(owner.Write(HttpMethod.Post, "/api/v1/folders", new { name = "by-owner" }, environmentId));
        var noEnvironment = await owner.GetAsync("/api/v1/files");
        var readerList = await reader.GetAsync("/api/v1/sdk/files", environmentId);
        var readerSearch = await reader.SendAsync(reader.Write(HttpMethod.Post, "/api/v1/search", new { query = "anything" }, environmentId));
        var readerInit = await reader.SendAsync(reader.Write(HttpMethod.Post, "/api/v1/files/init", new { filename = "a.txt", content_type = "text/plain", size = 3 }, environmentId));
        var readerFolder = await reader.SendAsync(reader.Write(HttpMethod.Post, "/api/v1/folders", new { name = "by-reader" }, environmentId));
        var ownerWithoutToken = await owner.SendAsync(owner.Write(HttpMethod.Post, "/api/v1/folders", new { name = "no-token" }, environmentId, antiforgery: null));

        Assert.Equal(environmentId, me.GetProperty("environment_id").GetGuid());
        await folder.ExpectAsync(HttpStatusCode.Created);
        await noEnvironment.ExpectErrorAsync(HttpStatusCode.NotFound, "not_found");
        await readerList.ExpectAsync(HttpStatusCode.OK);
        await readerSearch.ExpectAsync(HttpStatusCode.OK);
        await readerInit.ExpectErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        await readerFolder.ExpectErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        await ownerWithoutToken.ExpectErrorAsync(HttpStatusCode.Forbidden, "forbidden");
    }

    internal static async Task<Guid> DefaultOrganizationAsync(HttpClient admin)
    {
        var projects = await (await admin.GetAsync("/api/admin/v1/projects", Ct)).ExpectAsync(HttpStatusCode.OK);
        return projects[0].GetProperty("organization_id").GetGuid();
    }

    internal static async Task<JsonElement> CreateUserAsync(HttpClient admin, Guid organizationId, string email, string role, string password) =>
        await (await admin.PostAsJsonAsync($"/api/admin/v1/organizations/{organizationId}/users", new { email, role, password }, Ct)).ExpectAsync(HttpStatusCode.Created);
}

/// <summary>A server whose owner has a known password (MEMIC_OWNER_PASSWORD's setting).</summary>
public sealed class OwnerPasswordServer : IDisposable
{
    public const string OwnerPassword = "owner-password-for-tests";

    public MemicServerFactory Server { get; } = new()
    {
        Settings = new Dictionary<string, string> { ["Memic:Sessions:OwnerPassword"] = OwnerPassword },
    };

    public void Dispose() => Server.Dispose();
}

/// <summary>The first start's owner: created once, with a generated password that signs in.</summary>
public sealed class FirstOwnerTests
{
    [Fact]
    public async Task The_owner_is_created_once_and_a_generated_password_signs_in()
    {
        using var server = new MemicServerFactory();
        using var admin = server.AdminClient();
        var organizationId = await DashboardAuthTests.DefaultOrganizationAsync(admin);
        var users = (Memic.Core.Users.UserService)server.Services.GetService(typeof(Memic.Core.Users.UserService))!;
        var existing = await (await admin.GetAsync($"/api/admin/v1/organizations/{organizationId}/users", Ct)).ExpectAsync(HttpStatusCode.OK);
        var owner = Assert.Single(existing.EnumerateArray(), u => u.GetProperty("email").GetString() == "owner@localhost");
        Assert.Equal("owner", owner.GetProperty("role").GetString());
        Assert.Null(await users.EnsureLocalOwnerAsync(organizationId, null, Ct));

        await (await admin.DeleteAsync($"/api/admin/v1/users/{owner.GetProperty("id").GetGuid()}", Ct)).ExpectAsync(HttpStatusCode.NoContent);
        var generated = await users.EnsureLocalOwnerAsync(organizationId, null, Ct);

        Assert.False(string.IsNullOrEmpty(generated));
        using var client = server.CreateClient();
        await (await DashboardSession.PostLoginAsync(client, "owner@localhost", generated!)).ExpectAsync(HttpStatusCode.OK);
    }
}
