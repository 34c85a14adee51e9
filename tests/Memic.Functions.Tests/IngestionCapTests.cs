using Memic.Azure.Queues;
using Memic.Embedded.Embeddings;
using Memic.Functions.Ingestion;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Memic.Functions.Tests;

/// <summary>With the environment at its cap, another file's trigger is deferred to the queue, not run and not dropped.</summary>
public sealed class IngestionCapTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_second_message_of_a_capped_environment_is_deferred_and_runs_after_the_first_finishes()
    {
        await Azurite.RequireAsync();
        var gate = new HeldEmbeddings("rooftop beehives");
        await using var host = new FunctionsTestHost
        {
            Settings = new Dictionary<string, string?> { ["Memic:Ingestion:MaxConcurrentPerEnvironment"] = "1" },
            TestServices = services => services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(
                sp => gate.Wrap(sp.GetRequiredService<MiniLmEmbeddingGenerator>())),
        };
        await host.InitializeAsync();
        var environmentId = host.Production.Environment.Id;
        var first = await Uploads.UploadAndConfirmAsync(host, "first.txt");
        var second = await Uploads.UploadAndConfirmAsync(host, "second.txt");
        var trigger = host.Create<IngestionFunctions>();
        var enqueuedBefore = host.Queue.Enqueued.Count;

        var firstRun = trigger.IngestQueuedFile(new IngestionMessage(environmentId, first).ToJson(), Ct);
        await gate.Held.WaitAsync(TimeSpan.FromMinutes(1), Ct);
        await trigger.IngestQueuedFile(new IngestionMessage(environmentId, second).ToJson(), Ct);
        var deferred = host.Queue.Enqueued.Skip(enqueuedBefore).ToList();
        var secondWhileCapped = (await Uploads.GetFileAsync(host, second)).GetProperty("status").GetString();
        gate.Release();
        await firstRun.WaitAsync(TimeSpan.FromMinutes(1), Ct);
        await trigger.IngestQueuedFile(new IngestionMessage(environmentId, second).ToJson(), Ct);

        Assert.Equal([(environmentId, second)], deferred);
        Assert.Equal("uploaded", secondWhileCapped);
        Assert.Equal("ready", (await Uploads.GetFileAsync(host, first)).GetProperty("status").GetString());
        Assert.Equal("ready", (await Uploads.GetFileAsync(host, second)).GetProperty("status").GetString());
    }
}
