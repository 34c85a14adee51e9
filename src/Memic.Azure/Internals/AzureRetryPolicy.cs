using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.Logging;

namespace Memic.Azure.Internals;

/// <summary>How many times and how long an Azure SDK client retries; Azure.Core's own defaults unless a service needs others.</summary>
/// <param name="MaxServerDelay">The longest Retry-After waited for; a service asking for more gets a final answer instead.</param>
internal sealed record AzureRetrySettings(int MaxRetries, TimeSpan Delay, TimeSpan MaxDelay, TimeSpan MaxServerDelay)
{
    /// <summary>Azure.Core's defaults (3 retries, 0.8 s doubling up to a minute), with Retry-After honoured up to a minute.</summary>
    public static AzureRetrySettings Default { get; } = new(3, TimeSpan.FromSeconds(0.8), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
}

/// <summary>
/// The retry policy of every Azure SDK client of the app: what a busy or failing service answers (408, 429, every 5xx) or
/// no answer at all is retried with exponential backoff, waiting at least as long as the service asks (Azure.Core's delay
/// strategy honours Retry-After). Two things Azure.Core's own policy does not do: a wait longer than
/// <see cref="AzureRetrySettings.MaxServerDelay"/> is not waited for (the answer is final and surfaces as transient instead
/// of holding the caller), and each retry is logged with the service and its answer.
/// </summary>
internal sealed partial class AzureRetryPolicy : RetryPolicy
{
    private const string AttemptsProperty = "Memic.Azure.Attempts";

    private readonly AzureRetrySettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public AzureRetryPolicy(AzureRetrySettings settings, TimeProvider time, ILogger logger)
        : base(settings.MaxRetries, DelayStrategy.CreateExponentialDelayStrategy(settings.Delay, settings.MaxDelay))
    {
        _settings = settings;
        _time = time;
        _logger = logger;
    }

    protected override void OnSendingRequest(HttpMessage message) => CountAttempt(message);

    protected override ValueTask OnSendingRequestAsync(HttpMessage message)
    {
        CountAttempt(message);
        return ValueTask.CompletedTask;
    }

    protected override bool ShouldRetry(HttpMessage message, Exception? exception) => Decide(message, exception);

    protected override ValueTask<bool> ShouldRetryAsync(HttpMessage message, Exception? exception) => new(Decide(message, exception));

    private bool Decide(HttpMessage message, Exception? exception)
    {
        // Overriding the decision replaces the base policy's own count check too, so count here.
        var attempt = Attempts(message);
        if (attempt > _settings.MaxRetries)
        {
            return false;
        }

        if (exception is not null || !message.HasResponse)
        {
            // No answer: a timeout or a dropped connection, unless the caller cancelled.
            if (exception is OperationCanceledException && message.CancellationToken.IsCancellationRequested)
            {
                return false;
            }

            LogRetrying(_logger, Host(message), 0, attempt, _settings.MaxRetries);
            return true;
        }

        var response = message.Response;
        if (!TransientStatus.Is(response.Status))
        {
            return false;
        }

        if (RetryAfter.Read(response, _time.GetUtcNow()) is { } asked && asked > _settings.MaxServerDelay)
        {
            LogWaitTooLong(_logger, Host(message), response.Status, asked, _settings.MaxServerDelay);
            return false;
        }

        LogRetrying(_logger, Host(message), response.Status, attempt, _settings.MaxRetries);
        return true;
    }

    private static string Host(HttpMessage message) => message.Request.Uri.Host ?? "An Azure service";

    private static int Attempts(HttpMessage message) => message.TryGetProperty(AttemptsProperty, out var attempts) && attempts is int count ? count : 0;

    private static void CountAttempt(HttpMessage message) => message.SetProperty(AttemptsProperty, Attempts(message) + 1);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Host} answered {Status} (0: no answer); retry {Attempt} of {MaxRetries}")]
    private static partial void LogRetrying(ILogger logger, string host, int status, int attempt, int maxRetries);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Host} answered {Status} and asked for a wait of {Wait}, longer than the {MaxWait} waited for; not retrying")]
    private static partial void LogWaitTooLong(ILogger logger, string host, int status, TimeSpan wait, TimeSpan maxWait);
}
