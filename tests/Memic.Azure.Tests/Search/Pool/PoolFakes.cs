using Memic.Azure.Search.Pool;
using Memic.Core.Ports;

namespace Memic.Azure.Tests.Search.Pool;

/// <summary>An in-memory placement catalog with the contract's atomicity (one lock), counting its reads.</summary>
internal sealed class InMemoryPlacementCatalog : ISearchPlacementCatalog
{
    private readonly Lock _lock = new();
    private readonly Dictionary<Guid, string> _placements = [];
    private readonly List<PooledSearchService> _services = [];
    private readonly Dictionary<string, int> _mostEver = [];
    private int _placementReads;

    public int PlacementReads => Volatile.Read(ref _placementReads);

    /// <summary>The most environments the service ever held at once: capacity checks need the peak, not the end state.</summary>
    public int MostEverPlacedOn(string service)
    {
        lock (_lock)
        {
            return _mostEver.GetValueOrDefault(service);
        }
    }

    public Task AddSearchServiceAsync(PooledSearchService service, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_services.Any(s => s.Name == service.Name))
            {
                _services.Add(service);
            }
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<PooledSearchService>> ListSearchServicesAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<PooledSearchService>>([.. _services]);
        }
    }

    public Task<IReadOnlyDictionary<string, int>> CountPlacementsAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyDictionary<string, int>>(Counts());
        }
    }

    public Task<string?> GetPlacementAsync(Guid environmentId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _placementReads);
        lock (_lock)
        {
            return Task.FromResult(_placements.GetValueOrDefault(environmentId));
        }
    }

    public async Task<string?> TryPlaceAsync(Guid environmentId, string serviceName, int indexCapacity, CancellationToken cancellationToken)
    {
        // Yields first, so concurrent callers really interleave between their reads and this write.
        await Task.Yield();
        lock (_lock)
        {
            if (_placements.TryGetValue(environmentId, out var placed))
            {
                return placed;
            }

            var counts = Counts();
            if (counts.GetValueOrDefault(serviceName) >= indexCapacity)
            {
                return null;
            }

            _placements[environmentId] = serviceName;
            _mostEver[serviceName] = Math.Max(_mostEver.GetValueOrDefault(serviceName), counts.GetValueOrDefault(serviceName) + 1);
            return serviceName;
        }
    }

    public Task ReleasePlacementAsync(Guid environmentId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _placements.Remove(environmentId);
        }

        return Task.CompletedTask;
    }

    private Dictionary<string, int> Counts() =>
        _placements.Values.GroupBy(s => s, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
}

/// <summary>A deployer that records what it was asked for and can hold deployments at a gate.</summary>
internal sealed class FakeSearchServiceDeployer : ISearchServiceDeployer
{
    private readonly List<string> _deployed = [];

    public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

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

    public FakeSearchServiceDeployer(bool open = true)
    {
        if (open)
        {
            Gate.SetResult();
        }
    }

    public async Task<SearchServiceLocation> DeployAsync(string serviceName, CancellationToken cancellationToken)
    {
        lock (_deployed)
        {
            _deployed.Add(serviceName);
        }

        Started.TrySetResult();
        await Gate.Task.WaitAsync(cancellationToken);
        return new SearchServiceLocation(serviceName, new Uri($"https://{serviceName}.search.windows.net/"));
    }
}
