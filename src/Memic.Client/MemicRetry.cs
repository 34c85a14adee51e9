using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace Memic.Client;

/// <summary>
/// The one retry policy of Memic clients: a request answered 429 or 503 is sent again after the server's
/// <c>Retry-After</c> (exponential back-off with jitter when it gives none). Other failures are not retried, because
/// only these two statuses say the request was not carried out, so retrying a POST cannot duplicate work.
/// </summary>
public static class MemicRetry
{
    /// <summary>The name of the resilience handler that <see cref="MemicServiceCollectionExtensions"/> registers.</summary>
    public const string HandlerName = "memic-retry";

    /// <summary>The retry options for <paramref name="maxRetries"/> attempts after the first.</summary>
    public static HttpRetryStrategyOptions CreateOptions(int maxRetries) => new()
    {
        MaxRetryAttempts = Math.Max(1, maxRetries),
        ShouldRetryAfterHeader = true,
        BackoffType = DelayBackoffType.Exponential,
        UseJitter = true,
        Delay = TimeSpan.FromSeconds(1),
        ShouldHandle = args => ValueTask.FromResult(
            maxRetries > 0 && args.Outcome.Result?.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable),
    };

    /// <summary>A message handler applying the policy, for an <see cref="HttpClient"/> built without dependency injection.</summary>
    public static DelegatingHandler CreateHandler(int maxRetries, HttpMessageHandler innerHandler)
    {
        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>().AddRetry(CreateOptions(maxRetries)).Build();
        return new ResilienceHandler(pipeline) { InnerHandler = innerHandler };
    }
}
