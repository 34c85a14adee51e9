namespace Memic.Azure.Search.Pool;

/// <summary>A search service the pool deployed at run time; configured services live in settings instead.</summary>
/// <param name="Name">The service's name, unique in the pool.</param>
/// <param name="IndexCapacity">How many environments' indexes it may hold.</param>
/// <param name="SearchUnits">Replicas × partitions: the create-index budget scales with it.</param>
public sealed record PooledSearchService(string Name, Uri Endpoint, int IndexCapacity, int SearchUnits, DateTimeOffset AddedAt);

/// <summary>
/// The catalog's part for the search-service pool: which service each environment's index is on (recorded on the
/// environment row), how many environments each service holds, and the services deployed at run time.
/// Placement is atomic: two concurrent placements never overfill a service nor place one environment twice, and a
/// placement is one write, so a crash leaves it either whole or absent, never a counted slot without its environment.
/// </summary>
public interface ISearchPlacementCatalog
{
    /// <summary>Records a service deployed at run time. Idempotent per name: a name already recorded keeps its first record.</summary>
    Task AddSearchServiceAsync(PooledSearchService service, CancellationToken cancellationToken);

    /// <summary>The services deployed at run time, oldest first.</summary>
    Task<IReadOnlyList<PooledSearchService>> ListSearchServicesAsync(CancellationToken cancellationToken);

    /// <summary>How many environments each service holds; a service with none may be missing.</summary>
    Task<IReadOnlyDictionary<string, int>> CountPlacementsAsync(CancellationToken cancellationToken);

    /// <summary>The name of the service the environment is on, or null when it is on none (or does not exist).</summary>
    Task<string?> GetPlacementAsync(Guid environmentId, CancellationToken cancellationToken);

    /// <summary>
    /// Places the environment on <paramref name="serviceName"/> if it holds fewer than <paramref name="indexCapacity"/>
    /// environments. Returns the service the environment is on afterwards: an earlier placement wins (so a retry finds
    /// it), or null when the environment is on none because the service is full.
    /// </summary>
    /// <exception cref="Memic.Core.Errors.NotFoundException">The environment does not exist.</exception>
    Task<string?> TryPlaceAsync(Guid environmentId, string serviceName, int indexCapacity, CancellationToken cancellationToken);

    /// <summary>Frees the environment's place, if it has one. Removing the environment frees it as well.</summary>
    Task ReleasePlacementAsync(Guid environmentId, CancellationToken cancellationToken);
}
