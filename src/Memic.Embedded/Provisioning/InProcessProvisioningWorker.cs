using System.Threading.Channels;
using Memic.Core.Errors;
using Memic.Core.Ports;
using Memic.Core.Tenancy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Memic.Embedded.Provisioning;

/// <summary>
/// The local host's background for environments whose provisioning takes minutes: a channel drained in this process.
/// Transient failures (an outage, a full pool that cannot grow yet) are retried with growing pauses; an environment still
/// provisioning when the process stops is finished by repeating its create (the create is resumable).
/// </summary>
public sealed partial class InProcessProvisioningWorker(IServiceProvider services, TimeProvider time, ILogger<InProcessProvisioningWorker> logger)
    : BackgroundService, IProvisioningQueue
{
    /// <summary>Attempts per environment, the first one included.</summary>
    public const int MaxAttempts = 5;

    private static readonly TimeSpan FirstPause = TimeSpan.FromSeconds(5);

    private readonly Channel<Guid> _queue = Channel.CreateUnbounded<Guid>();

    public ValueTask EnqueueAsync(Guid environmentId, CancellationToken cancellationToken) =>
        _queue.Writer.WriteAsync(environmentId, cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Resolved here, not in the constructor: EnvironmentService itself depends on this queue.
        var environments = services.GetRequiredService<EnvironmentService>();
        await foreach (var environmentId in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            // One at a time: each mostly waits on a deployment, and the pool grows one service at a time anyway.
            await CompleteAsync(environments, environmentId, stoppingToken);
        }
    }

    private async Task CompleteAsync(EnvironmentService environments, Guid environmentId, CancellationToken stoppingToken)
    {
        var pause = FirstPause;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await environments.CompleteProvisioningAsync(environmentId, stoppingToken);
                return;
            }
            catch (TransientException ex) when (attempt < MaxAttempts)
            {
                RetryingTransient(logger, ex, environmentId, attempt, pause);
                await Task.Delay(pause, time, stoppingToken);
                pause *= 2;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // Recorded on the environment (failed) unless transient; must not stop the worker either way.
                GaveUp(logger, ex, environmentId, attempt);
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Background provisioning of environment {EnvironmentId} failed transiently (attempt {Attempt}); retrying in {Pause}")]
    private static partial void RetryingTransient(ILogger logger, Exception exception, Guid environmentId, int attempt, TimeSpan pause);

    [LoggerMessage(Level = LogLevel.Error, Message = "Background provisioning of environment {EnvironmentId} stopped after {Attempt} attempts; repeating its create resumes it")]
    private static partial void GaveUp(ILogger logger, Exception exception, Guid environmentId, int attempt);
}
