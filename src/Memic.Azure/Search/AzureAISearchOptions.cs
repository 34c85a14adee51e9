namespace Memic.Azure.Search;

/// <summary>
/// What the Azure AI Search index adapter itself reads from <c>Memic:Search</c>. Which services exist, and which one
/// holds an environment's index, is the search service locator's business, configured apart (<c>Memic:Search:Services</c>).
/// No keys: every service is reached with the managed identity (Search Index Data Contributor and Search Service Contributor).
/// </summary>
public sealed class AzureAISearchOptions
{
    public const string Section = "Memic:Search";


    /// <summary>
    /// Whether the search services have the semantic ranker (Basic tier or above with <c>semanticSearch</c> free or
    /// standard; infra/main.bicep sets it from the same parameters it deploys the service with). Then indexes are created
    /// with a semantic configuration and queries with words ask for semantic re-ranking of the hybrid results, whose
    /// reranker score (0–4) becomes the 0–1 score; otherwise the app's own second stage ranks the candidates.
    /// </summary>
    public bool SemanticRanker { get; set; }

    /// <summary>Retries of a request the service answered 408, 429 or 5xx (or did not answer) before it surfaces as transient.</summary>
    public int MaxRetries { get; set; } = 5;

    /// <summary>The first backoff delay; it doubles per retry up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(0.8);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest Retry-After the adapter waits for; a service asking for more fails the request as transient.</summary>
    public TimeSpan MaxServerRetryDelay { get; set; } = TimeSpan.FromSeconds(60);
}
