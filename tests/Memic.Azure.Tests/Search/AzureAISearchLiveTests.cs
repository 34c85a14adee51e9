using Memic.Azure.Search;
using Memic.Azure.Search.Pool;
using Memic.Core.Ports;
using Memic.Core.Search;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using static Memic.Embedded.Tests.Search.TestChunks;

namespace Memic.Azure.Tests.Search;

/// <summary>
/// Against a real Azure AI Search service, opt-in: set <c>MEMIC_TEST_SEARCH_ENDPOINT</c> (e.g.
/// <c>https://&lt;service&gt;.search.windows.net</c>) and sign in (<c>az login</c>) with an identity holding Search Service
/// Contributor and Search Index Data Contributor. Skipped, visibly, when unset. Each test makes and deletes its own
/// index. Writes become searchable within about a second, so reads poll for the state they expect.
/// </summary>
public sealed class AzureAISearchLiveTests
{
    private const string EndpointVariable = "MEMIC_TEST_SEARCH_ENDPOINT";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Live_lifecycle_writes_queries_filters_and_deletes()
    {
        var (index, locator) = Live();
        var environment = Guid.NewGuid();
        var file = Guid.NewGuid();
        try
        {
            await index.CreateAsync(environment, Model(8), Ct);
            await index.CreateAsync(environment, Model(8), Ct);
            await Assert.ThrowsAsync<Memic.Core.Errors.ConflictException>(() => index.CreateAsync(environment, Model(16), Ct));

            var chunks = new[] { 0.9, 0.5, 0.1 }.Select((c, i) => Chunk(file, i, $"mitochondria passage {i}", WithCosine(8, c, 1 + i),
                category: i == 0 ? "it's (a) guide, or eq" : "other", metadata: new Dictionary<string, string> { ["city"] = i == 1 ? "Zürich" : "日本" })).ToList();
            await index.ReplaceFileChunksAsync(environment, file, chunks, Ct);
            await index.ReplaceFileChunksAsync(environment, file, chunks, Ct);
            await Eventually(async () => await index.CountFileChunksAsync(environment, file, Ct) == 3);

            var found = await index.QueryAsync(environment, Query("mitochondria", Axis(8, 0)), Ct);
            Assert.Equal([0.9, 0.5, 0.1], found.Select(c => Math.Round(c.VectorSimilarity, 5)));
            var guide = await index.QueryAsync(environment, Query("passage", Axis(8, 0), filter: new IndexFilter { Categories = ["it's (a) guide, or eq"] }), Ct);
            Assert.Equal([chunks[0].ChunkId], guide.Select(c => c.Chunk.ChunkId));
            var zurich = await index.QueryAsync(environment, Query("passage", Axis(8, 0), filter: new IndexFilter { Metadata = new Dictionary<string, string> { ["city"] = "Zürich" } }), Ct);
            Assert.Equal([chunks[1].ChunkId], zurich.Select(c => c.Chunk.ChunkId));
            var hostile = await index.QueryAsync(environment, Query("passage", Axis(8, 0), filter: new IndexFilter { Categories = ["x' or category ne 'x"] }), Ct);
            Assert.Empty(hostile);

            await index.ReplaceFileChunksAsync(environment, file, [chunks[0]], Ct);
            await Eventually(async () => await index.CountFileChunksAsync(environment, file, Ct) == 1);
            Assert.Equal(chunks[0].Vector.ToArray(), Assert.Single(await index.GetFileChunksAsync(environment, file, Ct)).Vector.ToArray());
        }
        finally
        {
            await index.DeleteAsync(environment, CancellationToken.None);
        }

        Assert.Equal(0, await index.CountFileChunksAsync(environment, file, Ct));
        Assert.Contains("Release", locator.Calls);
    }

    private static (AzureAISearchIndex Index, FakeLocator Locator) Live()
    {
        var endpoint = Environment.GetEnvironmentVariable(EndpointVariable);
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            Assert.Skip($"Set {EndpointVariable} to an Azure AI Search endpoint to run the live Azure AI Search suite.");
        }

        var locator = new FakeLocator(new Uri(endpoint));
        // Composed as the hosts compose it: the registered client, credential and pipeline.
        var services = new ServiceCollection().AddLogging().AddSingleton<ISearchServiceLocator>(locator)
            .AddAzureAISearchIndex(new ConfigurationBuilder().Build())
            .BuildServiceProvider();
        return ((AzureAISearchIndex)services.GetRequiredService<ISearchIndex>(), locator);
    }

    private static async Task Eventually(Func<Task<bool>> condition)
    {
        for (var attempt = 0; attempt < 60; attempt++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), Ct);
        }

        Assert.Fail("The index did not reach the expected state within 30 seconds.");
    }
}
