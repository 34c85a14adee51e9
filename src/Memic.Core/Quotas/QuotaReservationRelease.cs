using Microsoft.Extensions.Hosting;

namespace Memic.Core.Quotas;

/// <summary>Gives this instance's unused quota reservations back as the host stops, so a scale-in strands none of them.</summary>
public sealed class QuotaReservationRelease(QuotaService quotas) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => quotas.ReturnUnusedAsync(cancellationToken);
}
