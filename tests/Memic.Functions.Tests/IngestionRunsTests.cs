using Memic.Embedded.Embeddings;
using Memic.Functions.Ingestion;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Memic.Functions.Tests;

/// <summary>The blob event and the queue message of one upload do not run its pipeline twice at once in a worker.</summary>
public sealed class IngestionRunsTests : IAsyncLifetime
{
    private readonly GatedEmbedder _gate = new();
    private readonly FunctionsTestHost _host;

    public IngestionRunsTests()
    {
        _host = new FunctionsTestHost
        {
            TestServices = services => services.TryAddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(
                sp => _gate.Wrap(sp.GetRequiredService<MiniLmEmbeddingGenerator>())),
        };
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => _host.InitializeAsync();

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task A_second_trigger_for_a_file_being_ingested_waits_for_that_run_instead_of_starting_another()
    {
        await Azurite.RequireAsync();
        var environmentId = _host.Production.Environment.Id;
        var fileId = await Uploads.UploadAndConfirmAsync(_host, "gated.txt");
        var runs = _host.Services.GetRequiredService<IngestionRuns>();
        var trigger = _host.Create<IngestionFunctions>();

        var first = trigger.IngestQueuedFile($"{{\"environment_id\":\"{environmentId}\",\"file_id\":\"{fileId}\"}}", Ct);
        await _gate.Entered.WaitAsync(TimeSpan.FromMinutes(2), Ct);
        var second = trigger.IngestUploadedBlob(Uploads.Blob(environmentId, fileId), environmentId.ToString(), fileId.ToString(), Ct);

        Assert.False(second.IsCompleted);
        Assert.True(runs.IsRunning(fileId));
        _gate.Open();
        await Task.WhenAll(first, second).WaitAsync(TimeSpan.FromMinutes(2), Ct);

        Assert.Equal(1, _gate.Calls);
        Assert.False(runs.IsRunning(fileId));
        Assert.Equal("ready", (await Uploads.GetFileAsync(_host, fileId)).GetProperty("status").GetString());
    }

    /// <summary>Holds every embedding call until opened, and signals when the first one arrives.</summary>
    private sealed class GatedEmbedder
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _calls;

        public Task Entered => _entered.Task;

        public int Calls => Volatile.Read(ref _calls);

        public void Open() => _open.TrySetResult();

        public IEmbeddingGenerator<string, Embedding<float>> Wrap(IEmbeddingGenerator<string, Embedding<float>> inner) => new Gated(inner, this);

        private sealed class Gated(IEmbeddingGenerator<string, Embedding<float>> inner, GatedEmbedder gate) : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
        {
            public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
                IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
            {
                Interlocked.Increment(ref gate._calls);
                gate._entered.TrySetResult();
                await gate._open.Task.WaitAsync(cancellationToken);
                return await base.GenerateAsync(values, options, cancellationToken);
            }
        }
    }
}
