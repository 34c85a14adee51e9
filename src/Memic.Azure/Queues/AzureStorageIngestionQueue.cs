using Azure;
using Azure.Storage.Queues;
using Memic.Core.Ports;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Memic.Azure.Queues;

/// <summary>
/// The ingestion queue of the Functions host: a message per file on an Azure Storage queue, drained by a queue trigger.
/// A storage queue cannot tell that a file is already queued, so a file confirmed twice may be delivered twice; the
/// consumer claims a file before running it, so a second delivery costs a lookup.
/// </summary>
/// <remarks>
/// Messages are base64-encoded, the Functions queue extension's default encoding. <see cref="Cancel"/> does nothing
/// here: the work runs in whichever instance took the message; hosts that also consume the queue decorate this class
/// to stop their own runs.
/// </remarks>
public sealed class AzureStorageIngestionQueue : IIngestionQueue
{
    private readonly QueueServiceClient _service;
    private readonly QueueClient _queue;
    private readonly ILogger<AzureStorageIngestionQueue> _logger;
    private volatile bool _created;

    /// <param name="service">
    /// The account's client, registered through Microsoft.Extensions.Azure from <see cref="AzureQueueOptions"/> with
    /// base64 messages, the encoding the Functions queue trigger expects.
    /// </param>
    public AzureStorageIngestionQueue(QueueServiceClient service, IOptions<AzureQueueOptions> options, ILogger<AzureStorageIngestionQueue> logger)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(options);
        _service = service;
        _queue = service.GetQueueClient(options.Value.QueueName);
        _logger = logger;
    }

    public string QueueName => _queue.Name;

    /// <summary>Another queue on the same account, reached the same way (e.g. the provisioning queue).</summary>
    internal QueueClient SiblingQueue(string name) => _service.GetQueueClient(name);

    public ValueTask EnqueueAsync(Guid environmentId, Guid fileId, CancellationToken cancellationToken) =>
        EnqueueAsync(environmentId, fileId, TimeSpan.Zero, cancellationToken);

    /// <summary>Queues the file with a message that becomes visible to the trigger only after <paramref name="delay"/>.</summary>
    public async ValueTask EnqueueAsync(Guid environmentId, Guid fileId, TimeSpan delay, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        var message = new IngestionMessage(environmentId, fileId).ToJson();
        var visibility = delay > TimeSpan.Zero ? delay : (TimeSpan?)null;
        try
        {
            await EnsureQueueAsync(cancellationToken);
            await _queue.SendMessageAsync(message, visibility, cancellationToken: cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // The queue was deleted since it was created here: make it again once.
            _created = false;
            await EnsureQueueAsync(cancellationToken);
            await _queue.SendMessageAsync(message, visibility, cancellationToken: cancellationToken);
        }

        _logger.LogInformation("Queued file {FileId} of environment {EnvironmentId} for ingestion in {Delay}", fileId, environmentId, delay);
    }

    /// <summary>Messages in the queue, visible or delayed, as the service estimates it; 0 when the queue does not exist yet.</summary>
    public async Task<long> GetApproximateDepthAsync(CancellationToken cancellationToken)
    {
        try
        {
            var properties = await _queue.GetPropertiesAsync(cancellationToken);
            return properties.Value.ApproximateMessagesCountLong;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return 0;
        }
    }

    public void Cancel(Guid fileId)
    {
        // Nothing runs in this class; see the remarks.
    }

    private async Task EnsureQueueAsync(CancellationToken cancellationToken)
    {
        if (!_created)
        {
            await _queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            _created = true;
        }
    }
}
