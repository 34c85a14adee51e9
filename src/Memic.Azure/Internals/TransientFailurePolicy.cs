using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Memic.Core.Errors;

namespace Memic.Azure.Internals;

/// <summary>
/// Turns what an Azure SDK gives up on after its own retries (a 408, a 429, a 5xx, or no answer at all) into a
/// <see cref="TransientException"/>, so callers see one "try again later" kind whichever service failed. It is added
/// per call, outside the SDK's retry policy, so it sees only the final outcome of a request and never a retried one.
/// </summary>
internal sealed class TransientFailurePolicy(string service) : HttpPipelinePolicy
{
    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        try
        {
            ProcessNext(message, pipeline);
        }
        catch (Exception ex) when (IsUnanswered(ex))
        {
            throw Unanswered(ex);
        }

        ThrowIfTransient(message);
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        try
        {
            await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsUnanswered(ex))
        {
            throw Unanswered(ex);
        }

        ThrowIfTransient(message);
    }

    private void ThrowIfTransient(HttpMessage message)
    {
        if (message.HasResponse && TransientStatus.Is(message.Response.Status))
        {
            throw new TransientException(
                $"{service} answered {message.Response.Status} ({message.Response.ReasonPhrase}); retry later.",
                new RequestFailedException(message.Response));
        }
    }

    /// <summary>The transport found no server (status 0), or the retry policy gave up after several such attempts.</summary>
    private static bool IsUnanswered(Exception exception) => exception switch
    {
        RequestFailedException { Status: 0 } => true,
        AggregateException aggregate => aggregate.InnerExceptions.All(IsUnanswered),
        _ => false,
    };

    private TransientException Unanswered(Exception exception) =>
        new($"{service} could not be reached; retry later.", exception);
}
