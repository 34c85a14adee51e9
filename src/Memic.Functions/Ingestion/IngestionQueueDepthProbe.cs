using Memic.Azure.Queues;
using Memic.Core.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Memic.Functions.Ingestion;

/// <summary>
/// Reports the storage ingestion queue's depth on the queue-depth gauge. A gauge's callback must not block, so the depth
/// is read from the service every <see cref="Interval"/> and the gauge reports the last reading.
/// </summary>
public sealed partial class IngestionQueueDepthProbe(AzureStorageIngestionQueue queue, TimeProvider time, ILogger<IngestionQueueDepthProbe> logger)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    private long _depth;

    /// <summary>The last depth read from the service.</summary>
    public long LastDepth => Interlocked.Read(ref _depth);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var gauge = MemicTelemetry.ObserveQueueDepth(queue.QueueName, () => LastDepth);
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                Interlocked.Exchange(ref _depth, await queue.GetApproximateDepthAsync(stoppingToken));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A missed reading keeps the last one; telemetry never stops the app.
                LogDepthUnreadable(logger, ex, queue.QueueName);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the depth of ingestion queue {Queue}")]
    private static partial void LogDepthUnreadable(ILogger logger, Exception exception, string queue);
}
