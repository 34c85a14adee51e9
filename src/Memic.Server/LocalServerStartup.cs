using Memic.Core.Tenancy;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Memic.Server;

/// <summary>
/// Completes first-run setup before the server accepts a request (so <c>/health</c> answers only when Memic
/// can serve), then prints where it listens and any key created on this start.
/// </summary>
internal sealed class LocalServerStartup(FirstRunSetup firstRunSetup, IServer server, IConfiguration configuration) : IHostedLifecycleService
{
    private FirstRunResult _firstRun = new(null, null);

    public async Task StartingAsync(CancellationToken cancellationToken) =>
        _firstRun = await firstRunSetup.EnsureAsync(cancellationToken);

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        var url = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? ServerComposition.DefaultUrl;
        StartupBanner.Print(Console.Out, url, configuration, _firstRun);
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
