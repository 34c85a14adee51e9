using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static Memic.Server.Tests.Wire;

namespace Memic.Server.Tests;

/// <summary>
/// CONTRACT §12, §17: rate limits hold across every instance of a deployment. Four hosts share one key store (one
/// data directory) and count limits in one Azurite; time is a shared fake clock, so a one-minute window takes no
/// real minute and every request lands in the window the test means.
/// </summary>
public sealed class SharedRateLimitTests : IAsyncLifetime
{
    private const int Instances = 4;
    private const int SearchLimit = 60;
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero));
    private SharedAzuriteHosts _shared = null!;

    private IReadOnlyList<MemicServerFactory> Hosts => _shared.Hosts;

    public async ValueTask InitializeAsync() =>
        _shared = await SharedAzuriteHosts.StartAsync(
            Instances,
            new Dictionary<string, string>
            {
                ["Memic:RateLimits:Enabled"] = "true",
                ["Memic:RateLimits:Provider"] = "AzureTable",
                ["Memic:RateLimits:Search"] = SearchLimit.ToString(),
                ["Memic:RateLimits:Window"] = Window.ToString(),
            },
            services => services.AddSingleton<TimeProvider>(_time));

    public async ValueTask DisposeAsync() => await _shared.DisposeAsync();

    [Fact]
    public async Task Four_instances_admit_at_most_a_tenth_over_the_limit_per_window_and_none_blocks_the_others_past_it()
    {
        using var admin = Hosts[0].AdminClient();
        var (_, key) = await admin.CreateEnvironmentAsync("shared");
        var clients = Hosts.Select(h => h.DataClient(key)).ToList();

        var first = await FloodAsync(clients, perInstance: 50);
        _time.Advance(Window);
        var eachInstanceNextWindow = new List<HttpStatusCode>();
        foreach (var client in clients)
        {
            eachInstanceNextWindow.Add((await SearchAsync(client)).StatusCode);
        }

        var second = await FloodAsync(clients, perInstance: 50);

        foreach (var window in new[] { first, second })
        {
            Assert.InRange(window.Admitted, SearchLimit - (Instances * 2), SearchLimit * 11 / 10);
            Assert.All(window.RetryAfter, r => Assert.InRange(r, TimeSpan.FromSeconds(1), Window));
        }

        Assert.All(eachInstanceNextWindow, status => Assert.Equal(HttpStatusCode.OK, status));
        clients.ForEach(c => c.Dispose());
    }

    private static async Task<(int Admitted, List<TimeSpan> RetryAfter)> FloodAsync(List<HttpClient> clients, int perInstance)
    {
        var responses = await Task.WhenAll(clients.SelectMany(c => Enumerable.Range(0, perInstance).Select(_ => SearchAsync(c))));
        var refused = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.TooManyRequests }));
        foreach (var response in refused)
        {
            await response.ExpectErrorAsync(HttpStatusCode.TooManyRequests, "rate_limit_exceeded");
        }

        return (responses.Count(r => r.StatusCode == HttpStatusCode.OK), [.. refused.Select(r => r.Headers.RetryAfter!.Delta!.Value)]);
    }

    private static Task<HttpResponseMessage> SearchAsync(HttpClient client) =>
        client.PostAsJsonAsync("/api/v1/search", new { query = "valves" }, Ct);
}
