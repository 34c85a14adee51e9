using Memic.Azure.Search.Pool;
using Memic.Core.Errors;
using Memic.Core.Tenancy;

namespace Memic.Benchmarks;

/// <summary>
/// A clock that moves only when told: to a given time, or to the next timer anyone set on it (which then fires). Lets
/// <see cref="TenancyAtScale"/> run the create-index budget's real waits in simulated minutes.
/// </summary>
internal sealed class SimulatedClock : TimeProvider
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly Lock _lock = new();
    private readonly List<SimulatedTimer> _timers = [];
    private TaskCompletionSource _timerCreated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private DateTimeOffset _now = Start;

    public TimeSpan Elapsed
    {
        get
        {
            lock (_lock)
            {
                return _now - Start;
            }
        }
    }

    /// <summary>Completes once a timer is set on this clock (at once if one is).</summary>
    public Task WhenTimerSet()
    {
        lock (_lock)
        {
            return _timers.Count > 0 ? Task.CompletedTask : _timerCreated.Task;
        }
    }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _now;
        }
    }

    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <summary>Moves the clock forward to <paramref name="elapsed"/> after the start, if it is not there yet.</summary>
    public void AdvanceTo(TimeSpan elapsed)
    {
        lock (_lock)
        {
            if (Start + elapsed > _now)
            {
                _now = Start + elapsed;
            }
        }
    }

    /// <summary>Moves the clock to the earliest timer (if it is later) and fires it.</summary>
    public void FireNextTimer()
    {
        SimulatedTimer next;
        lock (_lock)
        {
            next = _timers.MinBy(t => t.Due) ?? throw new InvalidOperationException("No timer is set.");
            _timers.Remove(next);
            if (next.Due > _now)
            {
                _now = next.Due;
            }
        }

        next.Fire();
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new SimulatedTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private void Schedule(SimulatedTimer timer)
    {
        TaskCompletionSource created;
        lock (_lock)
        {
            _timers.Remove(timer);
            _timers.Add(timer);
            created = _timerCreated;
            _timerCreated = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        created.TrySetResult();
    }

    private void Cancel(SimulatedTimer timer)
    {
        lock (_lock)
        {
            _timers.Remove(timer);
        }
    }

    /// <summary>One-shot timers only (what Task.Delay sets); a period is ignored.</summary>
    private sealed class SimulatedTimer(SimulatedClock clock, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset Due { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            if (dueTime == Timeout.InfiniteTimeSpan)
            {
                clock.Cancel(this);
                return true;
            }

            Due = clock.GetUtcNow() + dueTime;
            clock.Schedule(this);
            return true;
        }

        public void Fire() => callback(state);

        public void Dispose() => clock.Cancel(this);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>
/// The placement part of a catalog in memory, with the contract's atomicity (one lock): the fast baseline next to the
/// Azure Table catalog on Azurite.
/// </summary>
internal sealed class InMemoryPlacementCatalog : ISearchPlacementCatalog
{
    private readonly Lock _lock = new();
    private readonly Dictionary<Guid, string?> _environments = [];
    private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);
    private readonly List<PooledSearchService> _services = [];

    public Task AddEnvironment(MemicEnvironment environment)
    {
        lock (_lock)
        {
            _environments.TryAdd(environment.Id, null);
        }

        return Task.CompletedTask;
    }

    public Task AddSearchServiceAsync(PooledSearchService service, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_services.Any(s => s.Name == service.Name))
            {
                _services.Add(service);
            }
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<PooledSearchService>> ListSearchServicesAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<PooledSearchService>>([.. _services]);
        }
    }

    public Task<IReadOnlyDictionary<string, int>> CountPlacementsAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyDictionary<string, int>>(new Dictionary<string, int>(_counts, StringComparer.Ordinal));
        }
    }

    public Task<string?> GetPlacementAsync(Guid environmentId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(_environments.GetValueOrDefault(environmentId));
        }
    }

    public Task<string?> TryPlaceAsync(Guid environmentId, string serviceName, int indexCapacity, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_environments.TryGetValue(environmentId, out var placed))
            {
                throw NotFoundException.Resource("Environment", environmentId);
            }

            if (placed is not null)
            {
                return Task.FromResult<string?>(placed);
            }

            if (_counts.GetValueOrDefault(serviceName) >= indexCapacity)
            {
                return Task.FromResult<string?>(null);
            }

            _counts[serviceName] = _counts.GetValueOrDefault(serviceName) + 1;
            _environments[environmentId] = serviceName;
            return Task.FromResult<string?>(serviceName);
        }
    }

    public Task ReleasePlacementAsync(Guid environmentId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_environments.TryGetValue(environmentId, out var placed) && placed is not null)
            {
                _counts[placed]--;
                _environments[environmentId] = null;
            }
        }

        return Task.CompletedTask;
    }
}
