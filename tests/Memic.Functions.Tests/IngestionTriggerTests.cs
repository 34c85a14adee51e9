using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Memic.Azure.Queues;
using Memic.Core.Files;
using Memic.Functions.Http;
using Memic.Functions.Ingestion;

namespace Memic.Functions.Tests;

/// <summary>The Event Grid blob trigger and the queue trigger run ingestion, once, for files Memic knows.</summary>
public sealed class IngestionTriggerTests(FunctionsTestHost host) : IClassFixture<FunctionsTestHost>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Guid EnvironmentId => host.Production.Environment.Id;

    [Fact]
    public async Task The_blob_trigger_makes_a_confirmed_upload_ready_and_searchable_and_a_redelivery_changes_nothing()
    {
        await Azurite.RequireAsync();
        var fileId = await Uploads.UploadAndConfirmAsync(host, "beehives.txt");
        Assert.Contains((EnvironmentId, fileId), host.Queue.Enqueued);
        var trigger = host.Create<IngestionFunctions>();

        await trigger.IngestUploadedBlob(Uploads.Blob(EnvironmentId, fileId), EnvironmentId.ToString(), fileId.ToString(), Ct);

        var ready = await Uploads.GetFileAsync(host, fileId);
        Assert.Equal("ready", ready.GetProperty("status").GetString());
        Assert.True(ready.GetProperty("total_chunks").GetInt32() > 0);
        var search = await FunctionsTestHost.InvokeAsync(
            host.Request("POST", "/api/v1/search", apiKey: host.ProductionKey, json: new { query = "When are the rooftop beehives inspected?", min_score = 0 }),
            host.Create<SearchFunctions>().Search);
        Assert.Equal(200, search.Status);
        Assert.Contains(search.Body.GetProperty("results").GetProperty("semantic").EnumerateArray(), hit => hit.GetProperty("file_id").GetGuid() == fileId);

        await trigger.IngestUploadedBlob(Uploads.Blob(EnvironmentId, fileId), EnvironmentId.ToString(), fileId.ToString(), Ct);

        var again = await Uploads.GetFileAsync(host, fileId);
        Assert.Equal("ready", again.GetProperty("status").GetString());
        Assert.Equal(ready.GetProperty("total_chunks").GetInt32(), again.GetProperty("total_chunks").GetInt32());
        Assert.Equal(ready.GetProperty("updated_at").GetString(), again.GetProperty("updated_at").GetString());
    }

    [Fact]
    public async Task A_blob_event_without_a_finished_signed_put_leaves_the_upload_to_confirm()
    {
        await Azurite.RequireAsync();
        var (fileId, _) = await Uploads.InitAsync(host, "written-around-the-api.txt");

        // The declared size, but written past the signed PUT: no content hash is recorded for it. On a fresh Azurite
        // no upload has made the container yet.
        await new BlobContainerClient(Azurite.ConnectionString, FileService.UploadsContainer).CreateIfNotExistsAsync(cancellationToken: Ct);
        await Uploads.Blob(EnvironmentId, fileId).UploadAsync(BinaryData.FromBytes(Uploads.Bytes), Ct);
        await host.Create<IngestionFunctions>().IngestUploadedBlob(Uploads.Blob(EnvironmentId, fileId), EnvironmentId.ToString(), fileId.ToString(), Ct);

        Assert.Equal("uploading", (await Uploads.GetFileAsync(host, fileId)).GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("not-an-environment", "not-a-file")]
    [InlineData("8a3f0a52-7e0e-4d7e-9d0c-2f3b3c1d9e11", "0b6f7c1e-3a52-4c55-bb0e-6a3e4d1f2c90")]
    public async Task Blobs_that_are_not_memic_uploads_are_ignored_not_retried(string environmentId, string fileId)
    {
        var ingestion = host.Create<IngestionFunctions>().IngestUploadedBlob(Uploads.Blob(environmentId, fileId), environmentId, fileId, Ct);

        await ingestion; // completes without throwing, so the host does not retry it
        Assert.True(ingestion.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Confirm_enqueues_on_the_storage_queue_and_the_queue_trigger_makes_the_file_ready()
    {
        await Azurite.RequireAsync();
        var fileId = await Uploads.UploadAndConfirmAsync(host, "queued.txt");
        var queueName = $"memic-test-{Guid.NewGuid():N}";
        var queue = AzuriteQueues.Ingestion(queueName);
        var reader = new QueueClient(Azurite.ConnectionString, queueName, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        try
        {
            await queue.EnqueueAsync(EnvironmentId, fileId, Ct);
            var message = Assert.Single((await reader.ReceiveMessagesAsync(maxMessages: 10, cancellationToken: Ct)).Value);

            await host.Create<IngestionFunctions>().IngestQueuedFile(message.Body.ToString(), Ct);

            Assert.Equal("ready", (await Uploads.GetFileAsync(host, fileId)).GetProperty("status").GetString());
        }
        finally
        {
            await reader.DeleteIfExistsAsync(CancellationToken.None);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("{\"environment_id\":\"nope\",\"file_id\":\"nope\"}")]
    [InlineData("{\"file_id\":\"0b6f7c1e-3a52-4c55-bb0e-6a3e4d1f2c90\"}")]
    public async Task Malformed_queue_messages_are_ignored_not_retried(string message)
    {
        var ingestion = host.Create<IngestionFunctions>().IngestQueuedFile(message, Ct);

        await ingestion;
        Assert.True(ingestion.IsCompletedSuccessfully);
    }
}
