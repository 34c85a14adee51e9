using System.Globalization;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Memic.Azure.Search.Internals;

/// <summary>
/// Retries what a busy or failing search service answers (408, 429 and every 5xx, or no answer) with exponential
/// backoff, waiting at least as long as the service asks (<c>retry-after-ms</c>, <c>x-ms-retry-after-ms</c>,
/// <c>Retry-After</c>; the SDK's delay strategy honours them). Bounded twice: at most <c>maxRetries</c> retries, and a
/// service asking for a wait longer than <c>maxServerDelay</c> is not waited for; the answer is final and surfaces
/// as a transient error instead of holding the caller.
/// </summary>
internal sealed class SearchRetryPolicy : RetryPolicy
{
    private const string AttemptsProperty = "Memic.Search.Attempts";

    private readonly int _maxRetries;
    private readonly TimeSpan _maxServerDelay;

    public SearchRetryPolicy(int maxRetries, TimeSpan initialDelay, TimeSpan maxDelay, TimeSpan maxServerDelay)
        : base(maxRetries, DelayStrategy.CreateExponentialDelayStrategy(initialDelay, maxDelay))
    {
        _maxRetries = maxRetries;
        _maxServerDelay = maxServerDelay;
    }

    protected override void OnSendingRequest(HttpMessage message) => CountAttempt(message);

    protected override ValueTask OnSendingRequestAsync(HttpMessage message)
    {
        CountAttempt(message);
        return ValueTask.CompletedTask;
    }

    protected override bool ShouldRetry(HttpMessage message, Exception? exception) => Decide(message, exception);

    protected override ValueTask<bool> ShouldRetryAsync(HttpMessage message, Exception? exception) => new(Decide(message, exception));

    public static bool IsRetriable(int status) => status is 408 or 429 or >= 500;

    /// <summary>The wait the response asks for, if any.</summary>
    public static TimeSpan? ServerDelay(Response response)
    {
        foreach (var header in (string[])["retry-after-ms", "x-ms-retry-after-ms"])
        {
            if (response.Headers.TryGetValue(header, out var ms) && double.TryParse(ms, NumberStyles.Float, CultureInfo.InvariantCulture, out var milliseconds))
            {
                return TimeSpan.FromMilliseconds(Math.Max(0, milliseconds));
            }
        }

        if (response.Headers.TryGetValue("Retry-After", out var retryAfter))
        {
            if (int.TryParse(retryAfter, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds))
            {
                return TimeSpan.FromSeconds(Math.Max(0, seconds));
            }

            if (DateTimeOffset.TryParse(retryAfter, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            {
                var wait = at - DateTimeOffset.UtcNow;
                return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
            }
        }

        return null;
    }

    private bool Decide(HttpMessage message, Exception? exception)
    {
        // Overriding the decision replaces the base policy's own count check too, so count here.
        if (Attempts(message) > _maxRetries)
        {
            return false;
        }

        if (exception is not null || !message.HasResponse)
        {
            // No answer: a timeout or a dropped connection, unless the caller cancelled.
            return exception is not OperationCanceledException || !message.CancellationToken.IsCancellationRequested;
        }

        var response = message.Response;
        if (!IsRetriable(response.Status))
        {
            return false;
        }

        return ServerDelay(response) is not { } asked || asked <= _maxServerDelay;
    }

    private static int Attempts(HttpMessage message) => message.TryGetProperty(AttemptsProperty, out var attempts) && attempts is int count ? count : 0;

    private static void CountAttempt(HttpMessage message) => message.SetProperty(AttemptsProperty, Attempts(message) + 1);
}
