using System.Diagnostics;
using Memic.Core.Tenancy;
using Memic.Functions.Http;
using Memic.Functions.Provisioning;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Memic.Functions.Tests;

/// <summary>The Functions app serves sign-in, session-authenticated admin routes and environment lifetimes as the local server does.</summary>
public sealed class DashboardFunctionsTests(FunctionsTestHost host) : IClassFixture<FunctionsTestHost>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_signed_in_admin_uses_the_admin_api_with_the_cookie_and_the_antiforgery_token()
    {
        var (cookie, token) = await SignInAsAsync("functions-admin@example.com", "admin");
        var admin = host.Create<AdminFunctions>();

        var list = await FunctionsTestHost.InvokeAsync(WithSession(host.Request("GET", "/api/admin/v1/environments"), cookie), admin.AdminListEnvironments);
        var withoutToken = await FunctionsTestHost.InvokeAsync(
            WithSession(host.Request("POST", "/api/admin/v1/environments", json: new { slug = "fn-no-token" }), cookie), admin.AdminCreateEnvironment);
        var withToken = await FunctionsTestHost.InvokeAsync(
            WithSession(host.Request("POST", "/api/admin/v1/environments", json: new { slug = "fn-with-token" }), cookie, token), admin.AdminCreateEnvironment);

        Assert.Equal(200, list.Status);
        Assert.Contains(list.Body.EnumerateArray(), e => e.GetProperty("slug").GetString() == "production");
        Assert.Equal(403, withoutToken.Status);
        Assert.Equal("forbidden", withoutToken.Body.GetProperty("code").GetString());
        Assert.Equal(201, withToken.Status);
    }

    [Fact]
    public async Task A_signed_in_member_cannot_create_keys_or_environments()
    {
        var (cookie, token) = await SignInAsAsync("functions-member@example.com", "member");
        var admin = host.Create<AdminFunctions>();

        var key = await FunctionsTestHost.InvokeAsync(
            WithSession(host.Request("POST", $"/api/admin/v1/environments/{host.Production.Environment.Id}/keys", json: new { name = "nope" }), cookie, token), admin.AdminCreateKey);
        var environment = await FunctionsTestHost.InvokeAsync(
            WithSession(host.Request("POST", "/api/admin/v1/environments", json: new { slug = "fn-member" }), cookie, token), admin.AdminCreateEnvironment);
        var keys = await FunctionsTestHost.InvokeAsync(
            WithSession(host.Request("GET", $"/api/admin/v1/environments/{host.Production.Environment.Id}/keys"), cookie), admin.AdminListKeys);

        Assert.Equal(403, key.Status);
        Assert.Equal(403, environment.Status);
        Assert.Equal(200, keys.Status);
    }

    [Fact]
    public async Task An_environment_with_a_20_second_lifetime_refuses_its_key_right_after_expiry_and_the_sweep_deletes_it()
    {
        var admin = host.Create<AdminFunctions>();
        var account = host.Create<AccountFunctions>();
        var expiresAt = DateTimeOffset.UtcNow.AddSeconds(20);
        var created = await FunctionsTestHost.InvokeAsync(
            host.Request("POST", "/api/admin/v1/environments", adminKey: host.AdminKey, json: new { slug = "fn-short-lived", expires_at = expiresAt.ToString("O") }),
            admin.AdminCreateEnvironment);
        Assert.Equal(201, created.Status);
        var environmentId = created.Body.GetProperty("environment").GetProperty("id").GetGuid();
        var key = created.Body.GetProperty("api_key").GetString()!;
        Assert.Equal(200, (await FunctionsTestHost.InvokeAsync(host.Request("GET", "/api/v1/me", apiKey: key), account.GetMe)).Status);

        var clock = Stopwatch.StartNew();
        while (DateTimeOffset.UtcNow <= expiresAt)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "The environment's expiry never came.");
            await Task.Delay(200, Ct);
        }

        var afterExpiry = await FunctionsTestHost.InvokeAsync(host.Request("GET", "/api/v1/me", apiKey: key), account.GetMe);
        await host.Create<ExpiredEnvironmentFunctions>().DeleteExpiredEnvironments(null!, Ct);
        var gone = await FunctionsTestHost.InvokeAsync(host.Request("GET", $"/api/admin/v1/environments/{environmentId}", adminKey: host.AdminKey), admin.AdminGetEnvironment);

        Assert.Equal(401, afterExpiry.Status);
        Assert.Equal(404, gone.Status);
        Assert.NotNull(await host.Services.GetRequiredService<EnvironmentService>().GetAsync(host.Production.Environment.Id, Ct));
    }

    [Fact]
    public async Task Patch_renews_an_environments_lifetime()
    {
        var admin = host.Create<AdminFunctions>();

        var renewed = await FunctionsTestHost.InvokeAsync(
            host.Request("PATCH", $"/api/admin/v1/environments/{host.Other.Environment.Id}", adminKey: host.AdminKey, json: new { expires_at = "2099-01-01T00:00:00Z" }),
            admin.AdminUpdateEnvironment);
        var cleared = await FunctionsTestHost.InvokeAsync(
            host.Request("PATCH", $"/api/admin/v1/environments/{host.Other.Environment.Id}", adminKey: host.AdminKey, json: new { }),
            admin.AdminUpdateEnvironment);

        Assert.Equal(200, renewed.Status);
        Assert.Equal(new DateTimeOffset(2099, 1, 1, 0, 0, 0, TimeSpan.Zero), renewed.Body.GetProperty("expires_at").GetDateTimeOffset());
        Assert.Equal(200, cleared.Status);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, cleared.Body.GetProperty("expires_at").ValueKind);
    }

    /// <summary>Creates a user of the default organization with the admin key and signs in through the login function.</summary>
    private async Task<(string Cookie, string Token)> SignInAsAsync(string email, string role)
    {
        var users = host.Create<UserFunctions>();
        var organizationId = host.Production.Environment.OrganizationId;
        var created = await FunctionsTestHost.InvokeAsync(
            host.Request("POST", $"/api/admin/v1/organizations/{organizationId}/users", adminKey: host.AdminKey, json: new { email, role, password = "functions-password" }),
            users.AdminCreateUser);
        Assert.Equal(201, created.Status);

        var login = await FunctionsTestHost.InvokeAsync(host.Request("POST", "/api/auth/v1/login", json: new { email, password = "functions-password" }), users.Login);

        Assert.Equal(200, login.Status);
        var setCookie = login.Headers.SetCookie.ToString();
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("secure", setCookie, StringComparison.OrdinalIgnoreCase);
        var cookie = setCookie.Split(';')[0];
        var me = await FunctionsTestHost.InvokeAsync(WithSession(host.Request("GET", "/api/auth/v1/me"), cookie), users.GetSession);
        Assert.Equal(200, me.Status);
        return (cookie, login.Body.GetProperty("antiforgery_token").GetString()!);
    }

    private static HttpContext WithSession(HttpContext http, string cookie, string? antiforgeryToken = null)
    {
        http.Request.Headers.Cookie = cookie;
        if (antiforgeryToken is not null)
        {
            http.Request.Headers["X-XSRF-TOKEN"] = antiforgeryToken;
        }

        return http;
    }
}
