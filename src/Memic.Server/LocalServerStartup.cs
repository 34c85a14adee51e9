using Memic.Core.Tenancy;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Memic.Core.Embeddings;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Memic.Server;

/// <summary>
/// Completes first-run setup before the server accepts a request (so <c>/health</c> answers only when Memic
/// can serve), then prints where it listens and any key created on this start, and warms up the embedder.
/// </summary>
internal sealed class LocalServerStartup(
    FirstRunSetup firstRunSetup,
    IServer server,
    IConfiguration configuration,
    IEmbeddingGenerator<string, Embedding<float>> embedder,
    IOptions<EmbeddingModelOptions> embeddingOptions,
    ILogger<LocalServerStartup> logger) : IHostedLifecycleService
{
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

        // Load the embedding model in the background, so the first search does not wait for it and start-up does not either.
        _ = Task.Run(async () =>
        {
            try
            {
                await embedder.GenerateAsync(["warm-up"], cancellationToken: CancellationToken.None);
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Warming up the embedding model failed; the first request will load it");
            }
        }, CancellationToken.None);
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
