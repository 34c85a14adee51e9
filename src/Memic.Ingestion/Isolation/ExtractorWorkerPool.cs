using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Memic.Ingestion.Isolation;

/// <summary>
/// Warm extraction workers. Starting one costs about a second of CPU (runtime start and JIT of the parsers), a third of
/// a 40-page PDF's whole ingestion, so a worker that answered is kept for the next file; one that was killed, crashed or
/// ran out of heap is disposed. Workers are started on demand, so there are never more than the files parsed at once.
/// </summary>
internal sealed class ExtractorWorkerPool(ExtractorLaunch launch, WorkerSettings settings, TimeProvider time, ILogger logger) : IDisposable
{
    /// <summary>Idle workers kept beyond this are closed: each holds tens of MB.</summary>
    private const int MaxIdleWorkers = 4;

    private readonly ConcurrentBag<ExtractorWorker> _idle = [];
    private bool _disposed;

    public ExtractorWorker Rent()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        while (_idle.TryTake(out var worker))
        {
            if (worker.IsReusable)
            {
                return worker;
            }

            worker.Dispose();
        }

        return ExtractorWorker.Start(launch, settings, time, logger);
    }

    public void Return(ExtractorWorker worker)
    {
        if (_disposed || !worker.IsReusable || _idle.Count >= MaxIdleWorkers)
        {
            worker.Dispose();
            return;
        }

        _idle.Add(worker);
    }

    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryTake(out var worker))
        {
            worker.Dispose();
        }
    }
}
