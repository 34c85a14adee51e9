using System.Diagnostics;
using System.Net;
using Memic.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Memic.Client.Tests;

/// <summary>A server whose search limit is two requests per key per three seconds.</summary>
public sealed class RateLimitedServer : LocalServer
{
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Memic__RateLimits__Enabled"] = "true",
        ["Memic__RateLimits__Search"] = "2",
        ["Memic__RateLimits__Window"] = "00:00:03",
    };

    /// <summary>
    /// The first search loads the embedding model, which can outlast the window; warming up with another key (limits
    /// are per key) keeps the tests' searches within one window.
    /// </summary>
    protected override async Task OnStartedAsync(CancellationToken cancellationToken)
    {
        using var client = new MemicClient(Options());
        await client.SearchAsync(new SearchRequest("warm up"), cancellationToken);
    }
}

/// <summary>429 answers are retried after the server's Retry-After, through the client's resilience handler.</summary>
public sealed class RetryTests(RateLimitedServer server) : IClassFixture<RateLimitedServer>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_throttled_search_is_sent_again_after_Retry_After_and_succeeds()
    {
        var (_, apiKey) = await server.NewEnvironmentKeyAsync("retry");
        var attempts = new AttemptRecorder();
        using var provider = ClientWith(server.Url, apiKey, attempts, maxRetries: 3);
        var client = provider.GetRequiredService<MemicClient>();

        // Two windows hold at most four searches, so five in a row are throttled at least once wherever a window starts.
        for (var i = 0; i < 5; i++)
        {
            await client.SearchAsync(new SearchRequest("anything at all"), Ct);
        }

        // Every search returned; each refusal was followed by a retry no sooner than its Retry-After (a retry that
        // lands a moment before the server's window turns over may itself be refused, and waits again).
        var refusals = Enumerable.Range(0, attempts.All.Count).Where(i => attempts.All[i].Status == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(refusals);
        Assert.Equal(HttpStatusCode.OK, attempts.All[^1].Status);
        Assert.All(refusals, i =>
        {
            var retryAfter = attempts.All[i].RetryAfter ?? throw new Xunit.Sdk.XunitException("429 without Retry-After");
            var waited = attempts.All[i + 1].SentAt - attempts.All[i].SentAt;
            Assert.True(waited >= retryAfter - TimeSpan.FromMilliseconds(50), $"Retried after {waited}, Retry-After was {retryAfter}.");
        });
        Assert.Equal(5, attempts.All.Count(a => a.Status == HttpStatusCode.OK));
    }

    [Fact]
    public async Task Without_retries_a_throttled_search_raises_RateLimitExceededException_with_Retry_After()
    {
        var (_, apiKey) = await server.NewEnvironmentKeyAsync("noretry");
        using var provider = ClientWith(server.Url, apiKey, new AttemptRecorder(), maxRetries: 0);
        var client = provider.GetRequiredService<MemicClient>();

        var error = await Assert.ThrowsAsync<RateLimitExceededException>(async () =>
        {
            // Two windows hold at most four searches, so the fifth in a row is refused wherever a window starts.
            for (var i = 0; i < 5; i++)
            {
                await client.SearchAsync(new SearchRequest("search " + i), Ct);
            }
        });

        Assert.Equal(HttpStatusCode.TooManyRequests, error.StatusCode);
        Assert.Equal("rate_limit_exceeded", error.Code);
        Assert.InRange(error.RetryAfter ?? TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3));
    }

    private static ServiceProvider ClientWith(Uri serverUrl, string apiKey, AttemptRecorder recorder, int maxRetries)
    {
        var services = new ServiceCollection();
        // A handler added after the resilience handler sits inside it, so it sees every attempt, retries included.
        services.AddMemicClient(options =>
            {
                options.ApiKey = apiKey;
                options.BaseUrl = serverUrl;
                options.MaxRetries = maxRetries;
            })
            .AddHttpMessageHandler(() => recorder);
        return services.BuildServiceProvider();
    }

    private sealed record Attempt(DateTimeOffset SentAt, HttpStatusCode Status, TimeSpan? RetryAfter);

    private sealed class AttemptRecorder : DelegatingHandler
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();

        public List<Attempt> All { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var sentAt = DateTimeOffset.UnixEpoch + _clock.Elapsed;
            var response = await base.SendAsync(request, cancellationToken);
            lock (All)
            {
                All.Add(new Attempt(sentAt, response.StatusCode, response.Headers.RetryAfter?.Delta));
            }

            return response;
        }
    }
}
