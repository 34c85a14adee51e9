using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Polly;

namespace Memic.Azure.Provisioning.Internals;

/// <summary>
/// How requests to Azure Resource Manager are retried (Microsoft.Extensions.Http.Resilience in the HttpClient's
/// handler): what ARM says is temporary (408, 429, 5xx) or no answer, up to <see cref="MaxAttempts"/> tries, waiting
/// as long as Retry-After asks or else 2 s, 4 s, 8 s, … up to five minutes. Each retry is logged.
/// </summary>
internal static partial class ArmRetry
{
    /// <summary>The named HttpClient the deployer sends with.</summary>
    public const string HttpClientName = "Memic.AzureResourceManager";

    /// <summary>Tries per request when ARM answers 408, 429 or 5xx, or cannot be reached.</summary>
    public const int MaxAttempts = 5;

    public static ResiliencePipelineBuilder<HttpResponseMessage> AddArmRetry(this ResiliencePipelineBuilder<HttpResponseMessage> builder, ILogger logger) =>
        builder.AddRetry(new HttpRetryStrategyOptions
        {
            MaxRetryAttempts = MaxAttempts - 1,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = false,
            Delay = TimeSpan.FromSeconds(2),
            MaxDelay = TimeSpan.FromMinutes(5),
            ShouldRetryAfterHeader = true,
            OnRetry = retry =>
            {
                LogRetrying(logger, retry.Outcome.Result?.RequestMessage?.Method.Method ?? "a request",
                    (int?)retry.Outcome.Result?.StatusCode ?? 0, retry.RetryDelay, retry.AttemptNumber + 1);
                return default;
            },
        });

    [LoggerMessage(Level = LogLevel.Warning, Message = "Azure Resource Manager answered {Method} with {Status} (0: no answer); retrying in {Wait} (attempt {Attempt})")]
    private static partial void LogRetrying(ILogger logger, string method, int status, TimeSpan wait, int attempt);
}
