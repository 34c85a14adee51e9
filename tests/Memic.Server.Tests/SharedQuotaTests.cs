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

    private SharedAzuriteHosts _shared = null!;

    private IReadOnlyList<MemicServerFactory> Hosts => _shared.Hosts;

    public async ValueTask InitializeAsync() =>
        _shared = await SharedAzuriteHosts.StartAsync(Instances, new Dictionary<string, string>
        {
            ["Memic:RateLimits:Provider"] = "AzureTable",
            // Metered counts are written and re-read rarely, as under load in Azure: the quota must hold without them.
            ["Memic:Usage:FlushInterval"] = "00:05:00",
            ["Memic:Usage:QuotaReadInterval"] = "00:05:00",
        });

    public async ValueTask DisposeAsync() => await _shared.DisposeAsync();

    [Fact]
    public async Task Four_instances_admit_at_most_a_tenth_over_a_monthly_search_quota_and_refuse_the_rest_with_quota_exceeded()
    {
        using var admin = Hosts[0].AdminClient();
        var (environmentId, key) = await admin.CreateEnvironmentAsync("shared-quota");
        await (await admin.PutAsJsonAsync($"/api/admin/v1/environments/{environmentId}/quotas", new { max_monthly_searches = MonthlySearches }, Ct))
            .ExpectAsync(HttpStatusCode.OK);
        var clients = Hosts.Select(h => h.DataClient(key)).ToList();

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
