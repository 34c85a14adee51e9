using Memic.Core.Tenancy;
using Microsoft.Extensions.Options;

namespace Memic.Server;

/// <summary>The local server's timer for <see cref="ExpiredEnvironmentSweep"/>, every <c>Memic:Environments:SweepInterval</c>.</summary>
internal sealed class ExpiredEnvironmentSweeper(
    ExpiredEnvironmentSweep sweep,
    IOptions<EnvironmentLifetimeOptions> options,
    TimeProvider time,
    ILogger<ExpiredEnvironmentSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, time);
        do
        {
            try
            {
                await sweep.RunAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Sweeping expired environments failed; the next sweep retries");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
