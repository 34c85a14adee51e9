using System.Collections.Concurrent;
using Memic.Azure.Search.Pool;
using Memic.Core.Ports;

namespace Memic.Azure.Tests.Search;

/// <summary>A pool of one service: places every environment on it and records what the adapter asked.</summary>
internal sealed class FakeLocator(Uri endpoint) : ISearchServiceLocator
{
    private readonly ConcurrentDictionary<Guid, SearchServiceLocation> _placed = new();
    private readonly ConcurrentQueue<string> _calls = new();

    public SearchServiceLocation Service { get; } = new("memic-search-1", endpoint);

    /// <summary>Calls in order, e.g. <c>Place</c>, <c>WaitToCreate</c>, <c>Find</c>, <c>Release</c>.</summary>
    public IReadOnlyList<string> Calls => [.. _calls];

    public void Place(Guid environmentId) => _placed[environmentId] = Service;

    public Task<SearchServiceLocation> PlaceAsync(Guid environmentId, CancellationToken cancellationToken)
    {
        _calls.Enqueue("Place");
        return Task.FromResult(_placed.GetOrAdd(environmentId, Service));
    }

    public Task<bool> NeedsGrowthAsync(Guid environmentId, CancellationToken cancellationToken) => Task.FromResult(false);

    public Task<SearchServiceLocation?> FindAsync(Guid environmentId, CancellationToken cancellationToken)
    {
        _calls.Enqueue("Find");
        return Task.FromResult(_placed.TryGetValue(environmentId, out var service) ? service : null);
    }

    public ValueTask WaitToCreateIndexAsync(SearchServiceLocation service, CancellationToken cancellationToken)
    {
        _calls.Enqueue("WaitToCreate");
        return ValueTask.CompletedTask;
    }

    public Task ReleaseAsync(Guid environmentId, CancellationToken cancellationToken)
    {
        _calls.Enqueue("Release");
        _placed.TryRemove(environmentId, out _);
        return Task.CompletedTask;
    }
}
