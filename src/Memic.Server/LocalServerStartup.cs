using Memic.Core.Ports;
using Memic.Core.Search;
using Memic.Core.Tenancy;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Memic.Core.Embeddings;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Memic.Server;

/// <summary>
/// Completes first-run setup before the server accepts a request (so <c>/health</c> answers only when Memic
/// can serve), then prints where it listens and any key created on this start, and warms up search in the background.
/// </summary>
internal sealed class LocalServerStartup(
    FirstRunSetup firstRunSetup,
    IServer server,
    IConfiguration configuration,
    IEmbeddingGenerator<string, Embedding<float>> embedder,
    IOptions<EmbeddingModelOptions> embeddingOptions,
    ITenancyCatalog catalog,
    SearchService search,
    ILogger<LocalServerStartup> logger) : IHostedLifecycleService
{
    /// <summary>Indexes opened ahead of their first search: the most recently changed environments, since each costs memory.</summary>
    internal const int WarmedEnvironments = 4;

    private FirstRunResult _firstRun = new(null, null);

    public async Task StartingAsync(CancellationToken cancellationToken) =>
        _firstRun = await firstRunSetup.EnsureAsync(cancellationToken);

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        var url = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? ServerComposition.DefaultUrl;
        StartupBanner.Print(Console.Out, url, configuration, _firstRun);

        if (embeddingOptions.Value.IsRemote)
        {
            // A remote model has nothing to load, and a warm-up call would be a paid request on every start.
            return Task.CompletedTask;
        }

        // Load the model, then open the latest environments' indexes and run the search path once, in the background:
        // the first search then costs what every other does, and neither start-up nor a request waits for this.
        _ = Task.Run(WarmUpAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task WarmUpAsync()
    {
        try
        {
            await embedder.GenerateAsync(["warm-up"], cancellationToken: CancellationToken.None);
            var environments = await catalog.ListEnvironmentsAsync(CancellationToken.None);
            foreach (var environment in environments
                .Where(e => e.Status == EnvironmentStatus.Ready)
                .OrderByDescending(e => e.UpdatedAt)
                .Take(WarmedEnvironments))
            {
                // Retrieval alone: nothing is metered or recorded for the environment.
                await search.RetrieveAsync(environment.Id, new SearchRequest("warm-up", 1, 0, IndexFilter.None, false, null), CancellationToken.None);
            }
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Warming up search failed; the first request will load what it needs");
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
