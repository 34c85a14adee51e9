namespace Memic.Embedded.Ingestion;

/// <summary>
/// Files waiting for an ingestion worker, handed out in turn per environment: environments with waiting files take
/// turns (round-robin), and one environment never runs more than <c>perEnvironment</c> files at once, so an environment
/// that queues hundreds of files (or a few slow, hostile ones) leaves workers free for everyone else.
/// </summary>
internal sealed class FairIngestionQueue(int perEnvironment) : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<Guid, Queue<Guid>> _waiting = [];
    private readonly LinkedList<Guid> _turns = new();
    private readonly Dictionary<Guid, int> _running = [];
    private int _waitingCount;

    // Released on every change that can make a file takeable (one added, one finished); waiters re-check, so an extra
    // release only costs a spurious look.
    private readonly SemaphoreSlim _changed = new(0);

    public int PerEnvironment { get; } = Math.Max(1, perEnvironment);

    public void Add(Guid environmentId, Guid fileId)
    {
        lock (_lock)
        {
            if (!_waiting.TryGetValue(environmentId, out var files))
            {
                _waiting[environmentId] = files = new Queue<Guid>();
                _turns.AddLast(environmentId);
            }

            files.Enqueue(fileId);
            _waitingCount++;
        }

        _changed.Release();
    }

    /// <summary>The next file whose environment is under its limit, waiting until there is one. Call <see cref="Finished"/> after running it.</summary>
    public async Task<(Guid EnvironmentId, Guid FileId)> TakeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (TryTake() is { } next)
            {
                return next;
            }

            await _changed.WaitAsync(cancellationToken);
        }
    }

    public void Finished(Guid environmentId)
    {
        lock (_lock)
        {
            if (_running.TryGetValue(environmentId, out var count))
            {
                if (count <= 1)
                {
                    _running.Remove(environmentId);
                }
                else
                {
                    _running[environmentId] = count - 1;
                }
            }
        }

        _changed.Release();
    }

    /// <summary>Files waiting for a worker, across environments (the queue-depth gauge reads it).</summary>
    public int Waiting => Volatile.Read(ref _waitingCount);

    /// <summary>Files of the environment now running (tests and logs).</summary>
    public int RunningIn(Guid environmentId)
    {
        lock (_lock)
        {
            return _running.GetValueOrDefault(environmentId);
        }
    }

    public void Dispose() => _changed.Dispose();

    private (Guid, Guid)? TryTake()
    {
        lock (_lock)
        {
            for (var turn = _turns.First; turn is not null; turn = turn.Next)
            {
                var environmentId = turn.Value;
                var running = _running.GetValueOrDefault(environmentId);
                if (running >= PerEnvironment)
                {
                    continue;
                }

                var files = _waiting[environmentId];
                var fileId = files.Dequeue();
                _waitingCount--;
                _running[environmentId] = running + 1;

                // Its turn is used: to the back of the line, or out of it when it has nothing more waiting.
                _turns.Remove(turn);
                if (files.Count > 0)
                {
                    _turns.AddLast(environmentId);
                }
                else
                {
                    _waiting.Remove(environmentId);
                }

                return (environmentId, fileId);
            }

            return null;
        }
    }
}
