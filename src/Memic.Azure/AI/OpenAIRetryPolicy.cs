using System.ClientModel.Primitives;
using Memic.Azure.Internals;
using Microsoft.Extensions.Logging;

namespace Memic.Azure.AI;

/// <summary>
/// The OpenAI SDK's own retry, bounded the way the app's Azure clients are: what a busy or failing endpoint answers
/// (408, 429, every 5xx), a timeout or no answer is retried up to <c>maxRetries</c> times, waiting as long as Retry-After
/// asks (capped at <c>maxDelay</c>, so a stuck endpoint cannot park ingestion for hours) or else 1 s, 2 s, 4 s, … .
/// Each retry is logged with the endpoint's answer and never its body, which may echo the documents.
/// </summary>
internal sealed partial class OpenAIRetryPolicy : ClientRetryPolicy
{
    private readonly int _maxRetries;
    private readonly TimeSpan _maxDelay;
    private readonly string _endpoint;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<CancellationToken, ValueTask>? _beforeRetry;

    /// <param name="endpoint">What the log calls the endpoint, e.g. "embedding endpoint".</param>
    /// <param name="beforeRetry">Runs after each wait, before the request goes again (e.g. to take its tokens from a budget).</param>
    public OpenAIRetryPolicy(
        int maxRetries, TimeSpan maxDelay, string endpoint, TimeProvider time, ILogger logger, Func<CancellationToken, ValueTask>? beforeRetry = null)
        : base(maxRetries)
    {
        _maxRetries = maxRetries;
        _maxDelay = maxDelay;
        _endpoint = endpoint;
        _time = time;
        _logger = logger;
        _beforeRetry = beforeRetry;
    }

    protected override void OnSendingRequest(PipelineMessage message) => message.SetProperty(typeof(OpenAIRetryPolicy), Attempts(message) + 1);

    protected override ValueTask OnSendingRequestAsync(PipelineMessage message)
    {
        OnSendingRequest(message);
        return ValueTask.CompletedTask;
    }

    protected override bool ShouldRetry(PipelineMessage message, Exception? exception)
    {
        var attempt = Attempts(message);
        if (attempt > _maxRetries)
        {
            return false;
        }

        if (exception is not null || message.Response is null)
        {
            // A timeout or a dropped connection, unless the caller cancelled.
            return !message.CancellationToken.IsCancellationRequested;
        }

        return TransientStatus.Is(message.Response.Status);
    }

    protected override TimeSpan GetNextDelay(PipelineMessage message, int tryCount)
    {
        var attempt = Attempts(message);
        var delay = (message.Response is { } response ? RetryAfter.Read(response, _time.GetUtcNow()) : null)
                    ?? TimeSpan.FromSeconds(Math.Pow(2, attempt - 1));
        delay = delay > _maxDelay ? _maxDelay : delay;
        LogRetrying(_logger, _endpoint, message.Response is { } answer ? $"answered HTTP {answer.Status}" : "did not answer", attempt, _maxRetries, delay);
        return delay;
    }

    protected override async Task WaitAsync(TimeSpan time, CancellationToken cancellationToken)
    {
        await Task.Delay(time, _time, cancellationToken).ConfigureAwait(false);
        if (_beforeRetry is not null)
        {
            await _beforeRetry(cancellationToken).ConfigureAwait(false);
        }
    }

    protected override void Wait(TimeSpan time, CancellationToken cancellationToken) =>
        WaitAsync(time, cancellationToken).GetAwaiter().GetResult();

    private static int Attempts(PipelineMessage message) =>
        message.TryGetProperty(typeof(OpenAIRetryPolicy), out var attempts) && attempts is int count ? count : 0;

    [LoggerMessage(Level = LogLevel.Warning, Message = "The {Endpoint} {Failure}; retry {Attempt} of {MaxRetries} in {Delay}")]
    private static partial void LogRetrying(ILogger logger, string endpoint, string failure, int attempt, int maxRetries, TimeSpan delay);
}
