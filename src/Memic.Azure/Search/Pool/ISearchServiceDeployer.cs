namespace Memic.Azure.Search.Pool;

/// <summary>Grows the pool of search services: deploys one more when every service of the pool is full.</summary>
public interface ISearchServiceDeployer
{
    /// <summary>
    /// Deploys a search service named <paramref name="serviceName"/> (infra/search-service.bicep) and returns it once it
    /// can take indexes. Idempotent per name: deploying a name again waits for, or returns, the same service.
    /// </summary>
    Task<SearchServiceLocation> DeployAsync(string serviceName, CancellationToken cancellationToken);
}
