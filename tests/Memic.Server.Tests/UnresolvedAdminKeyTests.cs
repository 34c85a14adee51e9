using System.Net;
using Memic.Core.Tenancy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static Memic.Server.Tests.Wire;

namespace Memic.Server.Tests;

/// <summary>An admin key that is an unresolved Key Vault reference turns the admin API off, not the host.</summary>
public sealed class UnresolvedAdminKeyTests
{
    private const string Reference = "@Microsoft.KeyVault(VaultName=kv-test;SecretName=memic-admin-key)";

    [Fact]
    public async Task The_host_starts_serves_the_data_plane_answers_admin_routes_503_and_says_why_in_the_log()
    {
        var logs = new CapturedLogs();
        await using var server = new MemicServerFactory { AdminKey = Reference, TestServices = services => services.AddSingleton<ILoggerProvider>(logs) };
        using var anonymous = server.CreateClient();
        var created = await server.Services.GetRequiredService<EnvironmentService>().CreateAsync("data", null, null, Ct);
        using var data = server.DataClient(created.FirstKey.PlaintextKey);
        using var admin = server.AdminClient();

        var health = await anonymous.GetAsync("/health", Ct);
        var me = await data.GetAsync("/api/v1/me", Ct);
        var environments = await admin.GetAsync("/api/admin/v1/environments", Ct);

        await health.ExpectAsync(HttpStatusCode.OK);
        await me.ExpectAsync(HttpStatusCode.OK);
        var detail = await environments.ExpectErrorAsync(HttpStatusCode.ServiceUnavailable, "admin_unavailable");
        Assert.Contains("Key Vault reference", detail.GetString(), StringComparison.Ordinal);
        Assert.Contains(logs.Lines, line => line.StartsWith("Error", StringComparison.Ordinal)
            && line.Contains("Admin API disabled", StringComparison.Ordinal)
            && line.Contains(Reference, StringComparison.Ordinal));
    }
}
