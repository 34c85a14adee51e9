using System.Net;
using Memic.Core.Keys;
using static Memic.Server.Tests.Wire;

namespace Memic.Server.Tests;

/// <summary>
/// docs/limits.md "Unknown keys": with its own key store, the local server's unknown-key limits are high enough that a
/// developer's test suite sending bad keys on purpose gets the 401 it expects; a configured limit still applies.
/// </summary>
public sealed class LocalUnknownKeyLimitTests
{
    private const int BadKeys = 200;

    [Fact]
    public async Task Hundreds_of_different_bad_keys_in_a_burst_each_get_401_not_503_or_429()
    {
        using var server = new MemicServerFactory();
        using var client = server.CreateClient();

        var statuses = await SendBadKeysAsync(client, BadKeys);

        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.Unauthorized, status));
    }

    [Fact]
    public async Task A_configured_lookup_rate_replaces_the_local_default_and_sheds_a_burst_with_503()
    {
        using var server = new MemicServerFactory
        {
            Settings = new Dictionary<string, string> { ["Memic:Keys:MaxUnknownKeyLookupsPerSecond"] = "2" },
        };
        using var client = server.CreateClient();

        var statuses = await SendBadKeysAsync(client, 40);

        Assert.Contains(HttpStatusCode.ServiceUnavailable, statuses);
        Assert.Contains(HttpStatusCode.Unauthorized, statuses);
    }

    private static async Task<List<HttpStatusCode>> SendBadKeysAsync(HttpClient client, int count)
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < count; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me");
            request.Headers.Add("X-API-Key", ApiKeyFormat.NewEnvironmentKey());
            using var response = await client.SendAsync(request, Ct);
            statuses.Add(response.StatusCode);
        }

        return statuses;
    }
}
