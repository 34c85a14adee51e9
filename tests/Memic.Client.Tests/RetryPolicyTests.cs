using System.Net;
using System.Text;
using Memic.Client;

namespace Memic.Client.Tests;

/// <summary>
/// The retry policy on statuses the local server cannot be made to answer on demand (503), with a stub transport:
/// which statuses are retried, and that Retry-After is waited for.
/// </summary>
public sealed class RetryPolicyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly MemicClientOptions Options = new() { ApiKey = "mk_live_stub", BaseUrl = new Uri("http://memic.invalid") };

    [Fact]
    public async Task A_503_with_Retry_After_is_sent_again_after_the_wait()
    {
        var transport = new StubTransport(
            Respond(HttpStatusCode.ServiceUnavailable, """{"detail":"busy","code":"embedding_unavailable","request_id":"r1"}""", retryAfterSeconds: 1),
            Respond(HttpStatusCode.OK, """{"organization_id":"6f1c2b7e-8a43-4c3e-9d53-0b6a3e1f0a11","organization_name":"o","project_id":"6f1c2b7e-8a43-4c3e-9d53-0b6a3e1f0a12","project_name":"p","environment_id":"6f1c2b7e-8a43-4c3e-9d53-0b6a3e1f0a13","environment_slug":"production"}"""));
        using var client = new MemicClient(new HttpClient(MemicRetry.CreateHandler(3, transport)), Options);

        var me = await client.GetMeAsync(Ct);

        Assert.Equal("production", me.EnvironmentSlug);
        Assert.Equal(2, transport.SentAt.Count);
        Assert.True(transport.SentAt[1] - transport.SentAt[0] >= TimeSpan.FromMilliseconds(950), $"waited {transport.SentAt[1] - transport.SentAt[0]}");
    }

    [Fact]
    public async Task A_500_is_not_retried_so_a_post_is_never_carried_out_twice()
    {
        var transport = new StubTransport(
            Respond(HttpStatusCode.InternalServerError, """{"detail":"boom","code":"internal_error","request_id":"r2"}"""),
            Respond(HttpStatusCode.Created, "{}"));
        using var client = new MemicClient(new HttpClient(MemicRetry.CreateHandler(3, transport)), Options);

        var error = await Assert.ThrowsAsync<InternalErrorException>(() => client.CreateFolderAsync("x", Ct));

        Assert.Single(transport.SentAt);
        Assert.Equal("r2", error.RequestId);
    }

    private static Func<HttpResponseMessage> Respond(HttpStatusCode status, string json, int? retryAfterSeconds = null) => () =>
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (retryAfterSeconds is { } seconds)
        {
            response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(seconds));
        }

        return response;
    };

    private sealed class StubTransport(params Func<HttpResponseMessage>[] responses) : HttpMessageHandler
    {
        private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
        private int _next;

        public List<TimeSpan> SentAt { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            SentAt.Add(_clock.Elapsed);
            return Task.FromResult(responses[Math.Min(_next++, responses.Length - 1)]());
        }
    }
}
