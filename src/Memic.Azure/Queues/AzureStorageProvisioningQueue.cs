using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Storage.Queues;
using Memic.Core.Ports;
using Microsoft.Extensions.Logging;

namespace Memic.Azure.Queues;

/// <summary>
/// Environments to finish provisioning in the background, as messages on a storage queue next to the ingestion queue
/// (same account, same identity), drained by a queue trigger. A message the trigger fails is retried by the queue,
/// and finishing an environment is idempotent, so duplicates cost a lookup.
/// </summary>
public sealed class AzureStorageProvisioningQueue(AzureStorageIngestionQueue ingestion, ILogger<AzureStorageProvisioningQueue> logger) : IProvisioningQueue
{
    /// <summary>The queue the Functions app's provisioning trigger listens on.</summary>
    public const string QueueName = "memic-provisioning";

    private readonly QueueClient _queue = ingestion.SiblingQueue(QueueName);
    private volatile bool _created;

    public async ValueTask EnqueueAsync(Guid environmentId, CancellationToken cancellationToken)
    {
        var message = new ProvisioningMessage(environmentId).ToJson();
        try
        {
            await EnsureQueueAsync(cancellationToken);
            await _queue.SendMessageAsync(message, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // The queue was deleted since it was created here: make it again once.
            _created = false;
            await EnsureQueueAsync(cancellationToken);
            await _queue.SendMessageAsync(message, cancellationToken);
        }

        logger.LogInformation("Queued environment {EnvironmentId} to finish provisioning in the background", environmentId);
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

/// <summary>An environment to finish provisioning, as a queue message: <c>{"environment_id": "..."}</c>.</summary>
public sealed record ProvisioningMessage([property: JsonPropertyName("environment_id")] Guid EnvironmentId)
{
    public string ToJson() => JsonSerializer.Serialize(this);

    /// <summary>Reads a message; null for anything that is not one (a poison message must not be retried forever).</summary>
    public static ProvisioningMessage? TryParse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<ProvisioningMessage>(text) is { EnvironmentId: var id } message && id != Guid.Empty ? message : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
