using Memic.Azure.Internals;
using Memic.Azure.Search;
using Memic.Azure.Search.Internals;
using Memic.Core.Ports;
using Microsoft.Extensions.Logging.Abstractions;
using static Memic.Embedded.Tests.Search.TestChunks;

namespace Memic.Azure.Tests.Search;

/// <summary>The adapter wired to a fake service and locator exactly as production wires it, with quick retries.</summary>
internal sealed class SearchHarness
{
    public SearchHarness(int maxRetries = 2, TimeSpan? maxServerRetryDelay = null)
    {
        Service = new FakeSearchService();
        Locator = new FakeLocator(Service.Endpoint);
        Settings = new AzureAISearchOptions
        {
            MaxRetries = maxRetries,
            RetryDelay = TimeSpan.FromMilliseconds(1),
            MaxRetryDelay = TimeSpan.FromMilliseconds(5),
            MaxServerRetryDelay = maxServerRetryDelay ?? TimeSpan.FromSeconds(5),
        };
        Index = NewIndex();
    }

    public FakeSearchService Service { get; }

    public FakeLocator Locator { get; }

    public FakeSearchService.StaticToken Credential { get; } = new();

    public AzureAISearchOptions Settings { get; }

    public AzureAISearchIndex Index { get; }

    /// <summary>An adapter with its own clients and caches, over the same fake service and locator (another host).</summary>
    public AzureAISearchIndex NewIndex()
    {
        var retry = new AzureRetrySettings(Settings.MaxRetries, Settings.RetryDelay, Settings.MaxRetryDelay, Settings.MaxServerRetryDelay);
        var clients = new SearchIndexClients(
            AzureClientPipeline.Configure(Service.ClientOptions(), retry, TimeProvider.System, NullLoggerFactory.Instance), Credential);
        return new AzureAISearchIndex(Locator, clients, Settings, NullLogger.Instance);
    }

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static string IndexPath(Guid environmentId) => $"/indexes('env-{environmentId:D}')";

    public async Task<Guid> CreatedAsync(int dimensions = 8, string model = "test-model")
    {
        var environment = Guid.NewGuid();
        await Index.CreateAsync(environment, Model(dimensions, model), Ct);
        Service.ClearRequests();
        return environment;
    }
}
