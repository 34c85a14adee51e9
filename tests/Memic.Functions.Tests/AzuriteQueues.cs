using Memic.Azure;
using Memic.Azure.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Memic.Functions.Tests;

/// <summary>Storage queues on Azurite, composed as the Functions app composes them: the registered client, its pipeline and base64 messages.</summary>
internal static class AzuriteQueues
{
    public static AzureStorageIngestionQueue Ingestion(string queueName)
    {
        var settings = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Memic:IngestionQueue:ConnectionString"] = Azurite.ConnectionString,
            ["Memic:IngestionQueue:QueueName"] = queueName,
        }).Build();
        return new ServiceCollection().AddLogging().AddAzureStorageIngestionQueue(settings)
            .BuildServiceProvider().GetRequiredService<AzureStorageIngestionQueue>();
    }
}
