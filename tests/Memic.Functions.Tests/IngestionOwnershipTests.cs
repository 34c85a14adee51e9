using Azure.Storage.Queues;
using Memic.Azure.Queues;
using Memic.Core.Files;
using Memic.Core.Ingestion;
using Memic.Core.Ports;
using Memic.Embedded.Catalog;
using Memic.Embedded.Embeddings;
using Memic.Functions.Http;
using Memic.Functions.Ingestion;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Memic.Functions.Tests;

/// <summary>
/// Who runs a file's pipeline: the blob event starts it, confirm's delayed queue message only starts a file the event
/// missed, the stall sweep only resumes a file whose run died, and of two instances racing on one file only one runs it.
/// </summary>
public sealed class IngestionOwnershipTests : IAsyncLifetime
{
    private static readonly TimeSpan StallThreshold = TimeSpan.FromMinutes(35);
    private static readonly TimeSpan ConfirmDelay = TimeSpan.FromMinutes(5);

    private readonly CountingEmbedder _embeddings = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly string _queueName = $"memic-test-{Guid.NewGuid():N}";
    private readonly FunctionsTestHost _host;

    public IngestionOwnershipTests()
    {
        _host = new FunctionsTestHost
        {
            Settings = new Dictionary<string, string?>
            {
                ["Memic:IngestionQueue:StallThreshold"] = StallThreshold.ToString(),
                ["Memic:IngestionQueue:ConfirmDelay"] = ConfirmDelay.ToString(),
            },
            TestServices = services =>
            {
                // Only the pipeline's clock (stall ages) is faked; the rest of the app keeps real time for signed URLs and keys.
                services.TryAddSingleton(sp => ActivatorUtilities.CreateInstance<FileIngestionPipeline>(sp, (TimeProvider)_time));

                // Confirm and the sweep write to a real storage queue, as in Azure, and are recorded for the assertions.
                services.TryAddSingleton<IIngestionQueue>(sp => new RecordedQueue(_host!.Queue, new FunctionsIngestionQueue(
                    StorageQueue(), sp.GetRequiredService<IngestionRuns>(), sp.GetRequiredService<IOptions<IngestionFallbackOptions>>())));
                services.TryAddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(sp => _embeddings.Wrap(sp.GetRequiredService<MiniLmEmbeddingGenerator>()));
            },
        };
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Guid EnvironmentId => _host.Production.Environment.Id;

    public ValueTask InitializeAsync() => _host.InitializeAsync();

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        if (Environment.GetEnvironmentVariable("MEMIC_SKIP_AZURITE") != "1")
        {
            await Reader().DeleteIfExistsAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task The_blob_event_alone_makes_an_upload_ready_and_a_later_confirm_starts_nothing()
    {
        await Azurite.RequireAsync();
        var (fileId, uploadUrl) = await Uploads.InitAsync(_host, "event-only.txt");
        await Uploads.PutAsync(_host, uploadUrl);

        await BlobEventAsync(_host, fileId);

        var ready = await Uploads.GetFileAsync(_host, fileId);
        Assert.Equal("ready", ready.GetProperty("status").GetString());
        Assert.Equal(1, _embeddings.Calls);

        var confirm = await FunctionsTestHost.InvokeAsync(
            _host.Request("POST", $"/api/v1/files/{fileId}/confirm", apiKey: _host.ProductionKey), _host.Create<FileFunctions>().ConfirmFile);
        await BlobEventAsync(_host, fileId); // the host's redelivery of the event

        Assert.Equal(200, confirm.Status);
        Assert.Equal("ready", confirm.Body.GetProperty("status").GetString());
        Assert.DoesNotContain((EnvironmentId, fileId), _host.Queue.Enqueued);
        Assert.Equal(1, _embeddings.Calls);
        Assert.Equal(ready.GetProperty("updated_at").GetString(), (await Uploads.GetFileAsync(_host, fileId)).GetProperty("updated_at").GetString());
    }

    [Fact]
    public async Task Confirm_without_an_event_queues_a_delayed_message_that_starts_the_file()
    {
        await Azurite.RequireAsync();

        var fileId = await Uploads.UploadAndConfirmAsync(_host, "missed-event.txt");

        var reader = Reader();
        Assert.Empty((await reader.PeekMessagesAsync(maxMessages: 10, cancellationToken: Ct)).Value);
        Assert.Equal(1, (await reader.GetPropertiesAsync(Ct)).Value.ApproximateMessagesCount);
        Assert.Equal("uploaded", (await Uploads.GetFileAsync(_host, fileId)).GetProperty("status").GetString());

        // The message as the trigger receives it once visible.
        await _host.Create<IngestionFunctions>().IngestQueuedFile(new IngestionMessage(EnvironmentId, fileId).ToJson(), Ct);

        Assert.Equal("ready", (await Uploads.GetFileAsync(_host, fileId)).GetProperty("status").GetString());
        Assert.Equal(1, _embeddings.Calls);
    }

    [Fact]
    public async Task A_queue_message_arriving_after_the_event_started_the_file_does_nothing()
    {
        await Azurite.RequireAsync();
        var fileId = await Uploads.UploadAndConfirmAsync(_host, "event-first.txt");
        await BlobEventAsync(_host, fileId);
        var ready = await Uploads.GetFileAsync(_host, fileId);

        await _host.Create<IngestionFunctions>().IngestQueuedFile(new IngestionMessage(EnvironmentId, fileId).ToJson(), Ct);

        Assert.Equal("ready", ready.GetProperty("status").GetString());
        Assert.Equal(1, _embeddings.Calls);
        Assert.Equal(ready.GetProperty("updated_at").GetString(), (await Uploads.GetFileAsync(_host, fileId)).GetProperty("updated_at").GetString());
    }

    [Fact]
    public async Task A_queue_message_leaves_a_file_mid_pipeline_alone_until_it_stalls()
    {
        await Azurite.RequireAsync();
        var fileId = await Uploads.UploadAndConfirmAsync(_host, "running-elsewhere.txt");
        await MoveToAsync(fileId, FileStatus.ChunkingStarted);
        var trigger = _host.Create<IngestionFunctions>();

        _time.Advance(StallThreshold - TimeSpan.FromMinutes(1));
        await trigger.IngestQueuedFile(new IngestionMessage(EnvironmentId, fileId).ToJson(), Ct);

        Assert.Equal("chunking_started", (await Uploads.GetFileAsync(_host, fileId)).GetProperty("status").GetString());
        Assert.Equal(0, _embeddings.Calls);

        _time.Advance(TimeSpan.FromMinutes(2));
        await trigger.IngestQueuedFile(new IngestionMessage(EnvironmentId, fileId).ToJson(), Ct);

        Assert.Equal("ready", (await Uploads.GetFileAsync(_host, fileId)).GetProperty("status").GetString());
        Assert.Equal(1, _embeddings.Calls);
    }

    [Fact]
    public async Task The_sweep_resumes_a_stalled_file_through_the_queue_and_leaves_a_fresh_one_alone()
    {
        await Azurite.RequireAsync();
        var stalled = await Uploads.UploadAndConfirmAsync(_host, "stalled.txt");
        var fresh = await Uploads.UploadAndConfirmAsync(_host, "fresh.txt");
        await MoveToAsync(stalled, FileStatus.EmbeddingStarted);
        _time.Advance(StallThreshold + TimeSpan.FromMinutes(1));
        await MoveToAsync(fresh, FileStatus.ParsingComplete);
        var trigger = _host.Create<IngestionFunctions>();
        var before = _host.Queue.Enqueued.Count;

        await trigger.ResumeStalledIngestion(new TimerInfo(), Ct);

        var swept = _host.Queue.Enqueued.Skip(before).ToList();
        Assert.Equal([(EnvironmentId, stalled)], swept);
        foreach (var (environmentId, fileId) in swept.Append((EnvironmentId, fresh)))
        {
            await trigger.IngestQueuedFile(new IngestionMessage(environmentId, fileId).ToJson(), Ct);
        }

        Assert.Equal("ready", (await Uploads.GetFileAsync(_host, stalled)).GetProperty("status").GetString());
        Assert.Equal("parsing_complete", (await Uploads.GetFileAsync(_host, fresh)).GetProperty("status").GetString());
        Assert.Equal(1, _embeddings.Calls);

        // Idempotent: the resumed file is no longer stalled, so the next sweep queues nothing.
        await trigger.ResumeStalledIngestion(new TimerInfo(), Ct);
        Assert.Equal(swept.Count, _host.Queue.Enqueued.Count - before);
    }

    [Fact]
    public async Task The_blob_event_and_a_queue_message_on_two_instances_run_the_pipeline_once()
    {
        await Azurite.RequireAsync();
        var rendezvous = new ClaimRendezvous(parties: 2);
        void Racing(IServiceCollection services)
        {
            services.TryAddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(sp => _embeddings.Wrap(sp.GetRequiredService<MiniLmEmbeddingGenerator>()));
            services.TryAddSingleton(sp => rendezvous.Wrap(sp.GetRequiredService<SqliteCatalog>()));
        }

        await using var first = new FunctionsTestHost { TestServices = Racing };
        await first.InitializeAsync();
        await using var second = new FunctionsTestHost { SameStorageAs = first, TestServices = Racing };
        await second.InitializeAsync();
        var environmentId = first.Production.Environment.Id;
        var fileId = await Uploads.UploadAndConfirmAsync(first, "raced.txt");

        await Task.WhenAll(
            BlobEventAsync(first, fileId),
            second.Create<IngestionFunctions>().IngestQueuedFile(new IngestionMessage(environmentId, fileId).ToJson(), Ct));

        Assert.Equal(2, rendezvous.Arrived);
        Assert.Equal(1, _embeddings.Calls);
        Assert.Equal("ready", (await Uploads.GetFileAsync(second, fileId)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Two_instances_resuming_the_same_stalled_file_run_it_once()
    {
        await Azurite.RequireAsync();
        var rendezvous = new ClaimRendezvous(parties: 2);
        void Racing(IServiceCollection services)
        {
            services.TryAddSingleton(sp => ActivatorUtilities.CreateInstance<FileIngestionPipeline>(sp, (TimeProvider)_time));
            services.TryAddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(sp => _embeddings.Wrap(sp.GetRequiredService<MiniLmEmbeddingGenerator>()));
            services.TryAddSingleton(sp => rendezvous.Wrap(sp.GetRequiredService<SqliteCatalog>()));
        }

        var settings = new Dictionary<string, string?> { ["Memic:IngestionQueue:StallThreshold"] = StallThreshold.ToString() };
        await using var first = new FunctionsTestHost { TestServices = Racing, Settings = settings };
        await first.InitializeAsync();
        await using var second = new FunctionsTestHost { SameStorageAs = first, TestServices = Racing, Settings = settings };
        await second.InitializeAsync();
        var environmentId = first.Production.Environment.Id;
        var fileId = await Uploads.UploadAndConfirmAsync(first, "stalled-twice.txt");
        var catalog = first.Services.GetRequiredService<IFileCatalog>();
        Assert.True(await catalog.TransitionAsync(environmentId, fileId, [FileStatus.Uploaded], FileStatus.ChunkingStarted, _time.GetUtcNow(), Ct));
        _time.Advance(StallThreshold + TimeSpan.FromMinutes(1));

        // Both read the same stale row, then both claim it: the status would not change, so only the row's age tells them apart.
        var message = new IngestionMessage(environmentId, fileId).ToJson();
        await Task.WhenAll(
            first.Create<IngestionFunctions>().IngestQueuedFile(message, Ct),
            second.Create<IngestionFunctions>().IngestQueuedFile(message, Ct));

        Assert.Equal(2, rendezvous.Arrived);
        Assert.Equal(1, _embeddings.Calls);
        Assert.Equal("ready", (await Uploads.GetFileAsync(second, fileId)).GetProperty("status").GetString());
    }

    private static Task BlobEventAsync(FunctionsTestHost host, Guid fileId)
    {
        var environmentId = host.Production.Environment.Id;
        return host.Create<IngestionFunctions>().IngestUploadedBlob(Uploads.Blob(environmentId, fileId), environmentId.ToString(), fileId.ToString(), Ct);
    }

    /// <summary>Leaves a file where a run that died would have: mid-pipeline, last changed now.</summary>
    private async Task MoveToAsync(Guid fileId, FileStatus status)
    {
        var catalog = _host.Services.GetRequiredService<IFileCatalog>();
        var file = await catalog.GetFileAsync(EnvironmentId, fileId, Ct);
        Assert.True(await catalog.TransitionAsync(EnvironmentId, fileId, [file!.Status], status, _time.GetUtcNow(), Ct));
    }

    private AzureStorageIngestionQueue StorageQueue() => AzuriteQueues.Ingestion(_queueName);

    private QueueClient Reader() => new(Azurite.ConnectionString, _queueName, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });

    /// <summary>Records each file, then hands it to the real queue.</summary>
    private sealed class RecordedQueue(RecordingIngestionQueue record, IIngestionQueue queue) : IIngestionQueue
    {
        public async ValueTask EnqueueAsync(Guid environmentId, Guid fileId, CancellationToken cancellationToken)
        {
            await record.EnqueueAsync(environmentId, fileId, cancellationToken);
            await queue.EnqueueAsync(environmentId, fileId, cancellationToken);
        }

        public void Cancel(Guid fileId) => queue.Cancel(fileId);
    }
}
