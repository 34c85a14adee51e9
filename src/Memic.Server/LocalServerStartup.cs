using Memic.Core.Ports;
using Memic.Core.Search;
using Memic.Core.Tenancy;
using Memic.Http;
using Microsoft.AspNetCore.Http.Json;
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
    IOptions<JsonOptions> httpJson,
    IServiceProvider services,
    ILogger<LocalServerStartup> logger) : IHostedLifecycleService, IDisposable
{
    /// <summary>Indexes opened ahead of their first search: the most recently changed environments, since each costs memory.</summary>
    internal const int WarmedEnvironments = 4;

    private readonly CancellationTokenSource _stopping = new();
    private Task _warmUp = Task.CompletedTask;
    private FirstRunResult _firstRun = new(null, null);

    /// <summary>The background warm-up; completes (never faults) once it finished or gave up.</summary>
    internal Task WarmedUp => _warmUp;

    public async Task StartingAsync(CancellationToken cancellationToken) =>
        _firstRun = await firstRunSetup.EnsureAsync(cancellationToken);

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        var url = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? ServerComposition.DefaultUrl;
        StartupBanner.Print(Console.Out, url, configuration, _firstRun);

        // In the background, so neither start-up nor a request waits for it: the first search then costs what every
        // other does. A remote model is not called: it has nothing to load, and a call would be paid on every start.
        var searchToo = !embeddingOptions.Value.IsRemote;
        _warmUp = Task.Run(() => WarmUpAsync(searchToo, _stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>
    /// The wire's JSON metadata and the search route's binding and response writing; with a local model, the model
    /// and the latest environments' search paths (<see cref="SearchService.WarmUpAsync"/>).
    /// </summary>
    private async Task WarmUpAsync(bool searchToo, CancellationToken cancellationToken)
    {
        try
        {
            MemicJson.PrepareContracts(httpJson.Value.SerializerOptions);
            if (searchToo)
            {
                // First, as the costliest by far: nothing searches without the model.
                await embedder.GenerateAsync(["warm-up"], cancellationToken: cancellationToken);
            }

            await SearchRouteWarmUp.RunAsync(services, httpJson.Value.SerializerOptions, cancellationToken);
            if (!searchToo)
            {
                return;
            }

            var environments = await catalog.ListEnvironmentsAsync(cancellationToken);
            foreach (var environment in environments
                .Where(e => e.Status == EnvironmentStatus.Ready)
                .OrderByDescending(e => e.UpdatedAt)
                .Take(WarmedEnvironments))
            {
                await search.WarmUpAsync(environment.Id, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The host is stopping before the warm-up finished: nothing to warm any more.
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Warming up failed; the first requests will load what they need");
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Ends the warm-up before the host disposes what it uses: a search still running when the model's native session
    /// or an index's database is released would fail, or crash the process.
    /// </summary>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _warmUp.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _stopping.Dispose();
}
