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

        for (var i = 0; i < 3; i++)
        {
            await client.SearchAsync(new SearchRequest("anything at all"), Ct);
        }

        var throttled = attempts.All.FindIndex(a => a.Status == HttpStatusCode.TooManyRequests);
        Assert.True(throttled >= 0, "The third search within the window was not throttled.");
        var retryAfter = attempts.All[throttled].RetryAfter ?? throw new Xunit.Sdk.XunitException("429 without Retry-After");
        var next = attempts.All[throttled + 1];
        Assert.Equal(HttpStatusCode.OK, next.Status);
        Assert.True(next.SentAt - attempts.All[throttled].SentAt >= retryAfter - TimeSpan.FromMilliseconds(50),
            $"Retried after {next.SentAt - attempts.All[throttled].SentAt}, Retry-After was {retryAfter}.");
    }

    [Fact]
    public async Task Without_retries_a_throttled_search_raises_RateLimitExceededException_with_Retry_After()
    {
        var (_, apiKey) = await server.NewEnvironmentKeyAsync("noretry");
        using var provider = ClientWith(server.Url, apiKey, new AttemptRecorder(), maxRetries: 0);
        var client = provider.GetRequiredService<MemicClient>();
        await client.SearchAsync(new SearchRequest("one"), Ct);
        await client.SearchAsync(new SearchRequest("two"), Ct);

        var error = await Assert.ThrowsAsync<RateLimitExceededException>(() => client.SearchAsync(new SearchRequest("three"), Ct));

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
