namespace Memic.Azure.Search;

/// <summary>
/// What the Azure AI Search index adapter itself reads from <c>Memic:Search</c>. Which services exist, and which one
/// holds an environment's index, is the search service locator's business, configured apart (<c>Memic:Search:Services</c>).
/// No keys: every service is reached with the managed identity (Search Index Data Contributor and Search Service Contributor).
/// </summary>
public sealed class AzureAISearchOptions
{
    public const string Section = "Memic:Search";


    /// <summary>Retries of a request the service answered 408, 429 or 5xx (or did not answer) before it surfaces as transient.</summary>
    public int MaxRetries { get; set; } = 5;

    /// <summary>The first backoff delay; it doubles per retry up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(0.8);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest Retry-After the adapter waits for; a service asking for more fails the request as transient.</summary>
    public TimeSpan MaxServerRetryDelay { get; set; } = TimeSpan.FromSeconds(60);
}
