using System.Net.Http.Json;
using System.Text.Json;
using Memic.Core.Keys;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Memic.Dashboard.Tests;

/// <summary>
/// The local server on a real loopback socket (Kestrel, not the in-memory test server), so a real browser can load the
/// dashboard from it, on a data directory of its own with a known admin key.
/// </summary>
public sealed class DashboardServer : WebApplicationFactory<Program>
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("memic-dashboard-test-").FullName;

    public string AdminKey { get; } = ApiKeyFormat.NewAdminKey();

    /// <summary>The password of <c>owner@localhost</c>, whom the first start creates (MEMIC_OWNER_PASSWORD).</summary>
    public string OwnerPassword { get; } = "owner password " + Guid.NewGuid().ToString("N")[..8];

    public Uri BaseAddress { get; private set; } = null!;

    public void Start()
    {
        UseKestrel();
        StartServer();
        var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        BaseAddress = new Uri(address);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("urls", "http://127.0.0.1:0");
        builder.UseSetting("Memic:DataDirectory", _dataDirectory);
        builder.UseSetting("Memic:Keys:AdminKey", AdminKey);
        builder.UseSetting("Memic:Sessions:OwnerPassword", OwnerPassword);
        // A revoked key must be seen refused within the test's patience, not the production 30 s.
        builder.UseSetting("Memic:Keys:PositiveCacheTtl", "00:00:01");
        builder.UseSetting("Memic:RateLimits:Enabled", "false");
        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
    }

    /// <summary>A plain client of the real socket, with no credentials.</summary>
    public HttpClient Client() => new() { BaseAddress = BaseAddress };

    public HttpClient AdminClient()
    {
        var client = Client();
        client.DefaultRequestHeaders.Add("X-Admin-Key", AdminKey);
        return client;
    }

    public HttpClient DataClient(string apiKey)
    {
        var client = Client();
        client.DefaultRequestHeaders.Add("X-API-Key", apiKey);
        return client;
    }

    /// <summary>Creates an environment through the admin API and returns its id, organization and first key.</summary>
    public async Task<(Guid Id, Guid OrganizationId, string ApiKey)> CreateEnvironmentAsync(string slug, CancellationToken cancellationToken)
    {
        using var admin = AdminClient();
        var response = await admin.PostAsJsonAsync("/api/admin/v1/environments", new { slug }, cancellationToken);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        var environment = body.GetProperty("environment");
        return (environment.GetProperty("id").GetGuid(), environment.GetProperty("organization_id").GetGuid(), body.GetProperty("api_key").GetString()!);
    }

    /// <summary>Adds a user to an organization through the admin API (CONTRACT §15).</summary>
    public async Task CreateUserAsync(Guid organizationId, string email, string role, string password, CancellationToken cancellationToken)
    {
        using var admin = AdminClient();
        var response = await admin.PostAsJsonAsync($"/api/admin/v1/organizations/{organizationId}/users", new { email, role, password }, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Creating {email} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }
}
