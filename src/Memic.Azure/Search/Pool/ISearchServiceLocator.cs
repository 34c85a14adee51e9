namespace Memic.Azure.Search.Pool;

/// <summary>One search service of the pool, where environments' indexes live.</summary>
public sealed record SearchServiceLocation(string Name, Uri Endpoint);

/// <summary>
/// Where each environment's search index lives when indexes are spread over a pool of search services
/// (Azure AI Search caps the indexes of one service, DESIGN.md). The environment row records its service.
/// </summary>
public interface ISearchServiceLocator
{
    /// <summary>
    /// The environment's service, placing the environment on one with room when it has none yet (and growing the
    /// pool when every service is full). Idempotent: a retry after a crash finds the place taken before.
    /// </summary>
    Task<SearchServiceLocation> PlaceAsync(Guid environmentId, CancellationToken cancellationToken);

    /// <summary>
    /// True when <see cref="PlaceAsync"/> would first deploy a search service (minutes): the environment has no place,
    /// every service is full and the pool can grow. A hint taken before placing, so a slot freed or taken meanwhile
    /// can make it wrong either way; placing stays correct regardless.
    /// </summary>
    Task<bool> NeedsGrowthAsync(Guid environmentId, CancellationToken cancellationToken);

    /// <summary>The environment's service, or null when the environment was never placed (so it has no index).</summary>
    Task<SearchServiceLocation?> FindAsync(Guid environmentId, CancellationToken cancellationToken);

    /// <summary>
    /// Waits for the service's create-index budget (Azure AI Search accepts 12 create-index calls per minute per
    /// search unit), so that a burst of signups queues instead of failing.
    /// </summary>
    ValueTask WaitToCreateIndexAsync(SearchServiceLocation service, CancellationToken cancellationToken);

    /// <summary>Frees the environment's place once its index is deleted. Idempotent.</summary>
    Task ReleaseAsync(Guid environmentId, CancellationToken cancellationToken);
}
