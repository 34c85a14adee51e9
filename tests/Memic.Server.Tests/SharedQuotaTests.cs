using System.Net;
using System.Net.Http.Json;
using static Memic.Server.Tests.Wire;

namespace Memic.Server.Tests;

/// <summary>
/// CONTRACT §17: a monthly quota holds across every instance of a deployment. Four hosts share one key store (one data
/// directory) and reserve against the quota in one Azurite, so what one instance has admitted but not yet metered
/// cannot let the others admit past it.
/// </summary>
public sealed class SharedQuotaTests : IAsyncLifetime
{
    private const int Instances = 4;
    private const int MonthlySearches = 200;

    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("memic-shared-quotas-").FullName;
    private readonly List<MemicServerFactory> _hosts = [];

    public async ValueTask InitializeAsync()
    {
        await Azurite.RequireAsync();
        var prefix = "Q" + Guid.NewGuid().ToString("N")[..12];
        var adminKey = Memic.Core.Keys.ApiKeyFormat.NewAdminKey();
        for (var i = 0; i < Instances; i++)
        {
            var host = new MemicServerFactory
            {
                SharedDataDirectory = _dataDirectory,
                AdminKey = adminKey,
                Settings = new Dictionary<string, string>
                {
                    ["Memic:RateLimits:Provider"] = "AzureTable",
                    ["Memic:Catalog:ConnectionString"] = Azurite.ConnectionString,
                    ["Memic:Catalog:TablePrefix"] = prefix,
                    // Metered counts are written and re-read rarely, as under load in Azure: the quota must hold without them.
                    ["Memic:Usage:FlushInterval"] = "00:05:00",
                    ["Memic:Usage:QuotaReadInterval"] = "00:05:00",
                },
            };

            // One at a time: the first start creates the data directory's default environment.
            using var ready = host.CreateClient();
            await (await ready.GetAsync("/health", Ct)).ExpectAsync(HttpStatusCode.OK);
            _hosts.Add(host);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    [Fact]
    public async Task Four_instances_admit_at_most_a_tenth_over_a_monthly_search_quota_and_refuse_the_rest_with_quota_exceeded()
    {
        using var admin = _hosts[0].AdminClient();
        var (environmentId, key) = await admin.CreateEnvironmentAsync("shared-quota");
        await (await admin.PutAsJsonAsync($"/api/admin/v1/environments/{environmentId}/quotas", new { max_monthly_searches = MonthlySearches }, Ct))
            .ExpectAsync(HttpStatusCode.OK);
        var clients = _hosts.Select(h => h.DataClient(key)).ToList();

        var responses = await Task.WhenAll(clients.SelectMany(c => Enumerable.Range(0, 80).Select(_ => SearchAsync(c))));
        var afterwards = await Task.WhenAll(clients.Select(SearchAsync));

        var admitted = responses.Count(r => r.StatusCode == HttpStatusCode.OK);
        Assert.InRange(admitted, MonthlySearches - (Instances * MonthlySearches / 20), MonthlySearches * 11 / 10);
        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.TooManyRequests }));
        foreach (var refused in responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).Concat(afterwards))
        {
            var detail = (await refused.ExpectErrorAsync(HttpStatusCode.TooManyRequests, "quota_exceeded")).GetString()!;
            Assert.Contains("max_monthly_searches", detail, StringComparison.Ordinal);
            Assert.NotNull(refused.Headers.RetryAfter?.Delta);
        }

        clients.ForEach(c => c.Dispose());
    }

    private static Task<HttpResponseMessage> SearchAsync(HttpClient client) =>
        client.PostAsJsonAsync("/api/v1/search", new { query = "valves" }, Ct);
}
