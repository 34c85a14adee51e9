using Memic.Client;

namespace Memic.Client.Tests;

/// <summary>Every admin route family through <see cref="MemicAdminClient"/>, against the real local server.</summary>
public sealed class AdminTests(LocalServer server)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_environment_is_created_listed_read_and_deleted_with_its_keys()
    {
        using var admin = server.Admin();
        var slug = "admin-" + Guid.NewGuid().ToString("N")[..8];

        var created = await admin.CreateEnvironmentAsync(new CreateEnvironmentRequest(slug, Name: "Admin test"), Ct);
        var listed = await admin.ListEnvironmentsAsync(Ct);
        var read = await admin.GetEnvironmentAsync(created.Environment.Id, Ct);
        await admin.DeleteEnvironmentAsync(created.Environment.Id, Ct);
        using var orphan = new MemicClient(server.Options(created.ApiKey));

        Assert.StartsWith("mk_live_", created.ApiKey, StringComparison.Ordinal);
        Assert.Contains(listed, e => e.Slug == slug);
        Assert.Equal(("Admin test", slug), (read.Name, read.Slug));
        await WaitUntilRejectedAsync(orphan);
        Assert.DoesNotContain(await admin.ListEnvironmentsAsync(Ct), e => e.Id == created.Environment.Id && e.Status == EnvironmentStatus.Ready);
    }

    [Fact]
    public async Task A_key_is_issued_listed_without_its_plaintext_and_stops_working_once_revoked()
    {
        var (environment, first) = await server.NewEnvironmentAsync("keys");
        using var admin = server.Admin();
        using (first)
        {
            var issued = await admin.CreateKeyAsync(environment.Id, "ci", Ct);
            using var second = new MemicClient(server.Options(issued.ApiKey));
            var me = await second.GetMeAsync(Ct);
            var keys = await admin.ListKeysAsync(environment.Id, Ct);

            await admin.RevokeKeyAsync(issued.Id, Ct);

            Assert.Equal(environment.Id, me.EnvironmentId);
            Assert.Equal(2, keys.Count);
            Assert.Contains(keys, k => k.Id == issued.Id && k.Name == "ci" && issued.ApiKey.StartsWith(k.Prefix, StringComparison.Ordinal));
            await WaitUntilRejectedAsync(second);
            Assert.Equal(environment.Id, (await first.GetMeAsync(Ct)).EnvironmentId);
            Assert.DoesNotContain(await admin.ListKeysAsync(environment.Id, Ct), k => k.Id == issued.Id);
        }
    }

    [Fact]
    public async Task Organizations_and_projects_are_created_and_usage_counts_requests()
    {
        using var admin = server.Admin();
        var (environment, client) = await server.NewEnvironmentAsync("usage");
        using (client)
        {
            var organization = await admin.CreateOrganizationAsync("Client test org", Ct);
            var project = await admin.CreateProjectAsync("Client test project", organization.Id, Ct);
            await client.GetMeAsync(Ct);

            var usage = await admin.GetUsageAsync(environment.Id, cancellationToken: Ct);

            Assert.Equal(("Client test project", organization.Id), (project.Name, project.OrganizationId));
            Assert.Equal(environment.Id, usage.EnvironmentId);
            Assert.True(usage.Totals.Requests >= 1, $"requests counted: {usage.Totals.Requests}");
        }
    }

    [Fact]
    public async Task The_admin_key_is_refused_on_the_data_plane_and_an_environment_key_on_the_admin_api()
    {
        using var adminKeyAsApiKey = new MemicClient(server.Options(server.AdminKey));
        using var apiKeyAsAdminKey = new MemicAdminClient(new MemicClientOptions { BaseUrl = server.Url, AdminKey = server.ProductionApiKey });

        await Assert.ThrowsAsync<InvalidApiKeyException>(() => adminKeyAsApiKey.GetMeAsync(Ct));
        var error = await Assert.ThrowsAsync<InvalidApiKeyException>(() => apiKeyAsAdminKey.ListEnvironmentsAsync(Ct));
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, error.StatusCode);
    }

    private static async Task WaitUntilRejectedAsync(MemicClient client)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                await client.GetMeAsync(Ct);
            }
            catch (InvalidApiKeyException)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, "The key still works 30 s after it was revoked.");
            await Task.Delay(100, Ct);
        }
    }
}
