using System.Net;
using System.Text;
using Azure.Core;

namespace Memic.Azure.Tests.Provisioning;

/// <summary>One request as the fake ARM received it, read in full while it was still alive.</summary>
internal sealed record ArmRequest(HttpMethod Method, Uri Uri, string? Authorization, string? Body);

/// <summary>Answers requests in order from a script, and records them; a request past the script fails the test.</summary>
internal sealed class FakeArm : HttpMessageHandler
{
    private readonly Queue<Func<ArmRequest, HttpResponseMessage>> _answers = new();

    public List<ArmRequest> Requests { get; } = [];

    public FakeArm Then(Func<ArmRequest, HttpResponseMessage> answer)
    {
        _answers.Enqueue(answer);
        return this;
    }

    public FakeArm Then(HttpStatusCode status, string body = "{}", params (string Name, string Value)[] headers) =>
        Then(_ => Answer(status, body, headers));

    public static HttpResponseMessage Answer(HttpStatusCode status, string body, params (string Name, string Value)[] headers)
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        foreach (var (name, value) in headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return response;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        var recorded = new ArmRequest(request.Method, request.RequestUri!, request.Headers.Authorization?.ToString(), body);
        Requests.Add(recorded);
        Assert.True(_answers.Count > 0, $"Unexpected request {request.Method} {request.RequestUri}");
        return _answers.Dequeue()(recorded);
    }
}

/// <summary>Hands out a fixed token and remembers the scopes it was asked for.</summary>
internal sealed class FakeCredential : TokenCredential
{
    public const string Token = "fake-arm-token-0123456789";

    public List<string> Scopes { get; } = [];

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        Scopes.AddRange(requestContext.Scopes);
        return new AccessToken(Token, DateTimeOffset.UtcNow.AddHours(1));
    }

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));
}

/// <summary>
/// Time that moves only when something waits on it, the deployer's polls or the retry handler's backoff: each wait is
/// recorded and then passes at once.
/// </summary>
internal sealed class ManualTime : TimeProvider
{
    private readonly Lock _lock = new();
    private DateTimeOffset _now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    public List<TimeSpan> Waits { get; } = [];

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _now;
        }
    }

    public Task DelayAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Pass(wait);
        return Task.CompletedTask;
    }

    /// <summary>A one-shot timer (what a delay on this time creates) fires as soon as its wait is recorded.</summary>
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        Assert.Equal(Timeout.InfiniteTimeSpan, period);
        Pass(dueTime);
        ThreadPool.QueueUserWorkItem(_ => callback(state));
        return new Fired();
    }

    private void Pass(TimeSpan wait)
    {
        lock (_lock)
        {
            Waits.Add(wait);
            _now += wait;
        }
    }

    private sealed class Fired : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => false;

        public void Dispose()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
