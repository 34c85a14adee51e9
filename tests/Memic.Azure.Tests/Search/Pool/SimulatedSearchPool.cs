using Memic.Azure.Search.Pool;
using Memic.Core.Ports;
using Memic.Core.Search;

namespace Memic.Azure.Tests.Search.Pool;

/// <summary>The remote side: Azure AI Search services holding indexes. It outlives any one (simulated) process.</summary>
internal sealed class SimulatedSearchServices
{
    private readonly Lock _lock = new();
    private readonly HashSet<(string Service, Guid EnvironmentId)> _indexes = [];
    private readonly List<(string Service, Guid EnvironmentId, DateTimeOffset At)> _createCalls = [];

    public IReadOnlyList<(string Service, Guid EnvironmentId, DateTimeOffset At)> CreateCalls
    {
        get
        {
            lock (_lock)
            {
                return [.. _createCalls];
            }
        }
    }

    public IReadOnlyList<(string Service, Guid EnvironmentId)> Indexes
    {
        get
        {
            lock (_lock)
            {
                return [.. _indexes];
            }
        }
    }

    public bool Exists(string service, Guid environmentId)
    {
        lock (_lock)
        {
            return _indexes.Contains((service, environmentId));
        }
    }

    public void Create(string service, Guid environmentId, DateTimeOffset at)
    {
        lock (_lock)
        {
            _createCalls.Add((service, environmentId, at));
            _indexes.Add((service, environmentId));
        }
    }

    public void Delete(string service, Guid environmentId)
    {
        lock (_lock)
        {
            _indexes.Remove((service, environmentId));
        }
    }
}

/// <summary>Where a simulated process dies: the named step throws once.</summary>
internal sealed class CrashSwitch
{
    private string? _armedAt;
    private bool _asFailure;

    public void Arm(string step, bool asFailure)
    {
        _armedAt = step;
        _asFailure = asFailure;
    }

    public void At(string step)
    {
        if (Interlocked.CompareExchange(ref _armedAt, null, step) == step)
        {
            // A killed process runs no catch block: cancellation is the closest a test gets (the service lets it through untouched).
            throw _asFailure ? new InvalidOperationException($"Simulated failure at {step}.") : new OperationCanceledException($"Simulated crash at {step}.");
        }
    }
}

/// <summary>
/// What the Azure AI Search adapter does around an index's lifecycle: place the environment, skip an index that exists,
/// wait for the service's create-index budget, create; on delete, find the service, delete, release the place.
/// </summary>
internal sealed class SimulatedAzureSearchIndex(
    ISearchServiceLocator locator, SimulatedSearchServices remote, TimeProvider time, CrashSwitch crash, bool reportsSlowCreates = true) : ISearchIndex
{
    public async Task<bool> IsSlowToCreateAsync(Guid environmentId, CancellationToken cancellationToken) =>
        reportsSlowCreates && await locator.NeedsGrowthAsync(environmentId, cancellationToken);

    public async Task CreateAsync(Guid environmentId, EmbeddingModelInfo model, CancellationToken cancellationToken)
    {
        var service = await locator.PlaceAsync(environmentId, cancellationToken);
        crash.At("placed");
        if (remote.Exists(service.Name, environmentId))
        {
            return;
        }

        await locator.WaitToCreateIndexAsync(service, cancellationToken);
        remote.Create(service.Name, environmentId, time.GetUtcNow());
        crash.At("index created");
    }

    public async Task DeleteAsync(Guid environmentId, CancellationToken cancellationToken)
    {
        if (await locator.FindAsync(environmentId, cancellationToken) is { } service)
        {
            remote.Delete(service.Name, environmentId);
            crash.At("index deleted");
            await locator.ReleaseAsync(environmentId, cancellationToken);
        }
    }

    public Task ReplaceFileChunksAsync(Guid environmentId, Guid fileId, IReadOnlyList<IndexedChunk> chunks, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task DeleteFileChunksAsync(Guid environmentId, Guid fileId, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<int> CountFileChunksAsync(Guid environmentId, Guid fileId, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<IReadOnlyList<IndexedChunk>> GetFileChunksAsync(Guid environmentId, Guid fileId, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<IReadOnlyList<IndexCandidate>> QueryAsync(Guid environmentId, IndexQuery query, CancellationToken cancellationToken) => throw new NotSupportedException();
}

internal sealed class FixedEmbeddingModel : IEmbeddingModel
{
    public EmbeddingModelInfo Info { get; } = new("test-model", 8, 256);

    public int CountTokens(string text) => text.Length;
}

internal sealed class SimulatedDeployer : ISearchServiceDeployer
{
    private readonly List<string> _deployed = [];

    public IReadOnlyList<string> Deployed
    {
        get
        {
            lock (_deployed)
            {
                return [.. _deployed];
            }
        }
    }

    public async Task<SearchServiceLocation> DeployAsync(string serviceName, CancellationToken cancellationToken)
    {
        await Task.Yield();
        lock (_deployed)
        {
            _deployed.Add(serviceName);
        }

        return new SearchServiceLocation(serviceName, new Uri($"https://{serviceName}.search.windows.net/"));
    }
}
