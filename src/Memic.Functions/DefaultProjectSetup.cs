using Memic.Core.Tenancy;
using Microsoft.Extensions.Hosting;

namespace Memic.Functions;

/// <summary>
/// Makes sure the default organization and project exist when the worker starts, so a signup flow can create an
/// environment with only a slug. Unlike the local host, no <c>production</c> environment is made: its key could be
/// shown to nobody. Idempotent, and safe when several instances start at once.
/// </summary>
internal sealed class DefaultProjectSetup(FirstRunSetup setup) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => setup.EnsureDefaultProjectAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
