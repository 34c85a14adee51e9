namespace Memic.Azure.Queues;

/// <summary>The storage queue that hands confirmed files to ingestion in the Functions host.</summary>
public sealed class AzureQueueOptions
{
    public const string Section = "Memic:IngestionQueue";

    /// <summary>The queue the Functions app's queue trigger listens on.</summary>
    public const string DefaultQueueName = "memic-ingestion";

    /// <summary>The Queue service endpoint, e.g. <c>https://&lt;account&gt;.queue.core.windows.net</c>; reached with the managed identity.</summary>
    public Uri? ServiceUri { get; set; }

    /// <summary>
    /// Azurite only (e.g. <c>UseDevelopmentStorage=true</c>); Azure deployments use <see cref="ServiceUri"/>. The Functions
    /// host falls back to its own storage account (<c>AzureWebJobsStorage</c>) when neither is set.
    /// </summary>
    public string? ConnectionString { get; set; }


    /// <summary>The Functions host always uses <see cref="DefaultQueueName"/>, the name its queue trigger is compiled with.</summary>
    public string QueueName { get; set; } = DefaultQueueName;
}
