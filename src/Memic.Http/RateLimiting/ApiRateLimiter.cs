using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Memic.Core.Errors;
using Memic.Core.Ports;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Memic.Http.RateLimiting;

/// <summary>
/// Per-key, per-category fixed windows. A plain service rather than ASP.NET middleware, because the Functions
/// worker's ASP.NET pipeline is fixed and both hosts must limit the same way.
/// <para>
/// With an <see cref="ISharedWindowCounter"/> (Azure: every instance of a deployment), each instance takes permits from
/// the shared window in batches of <see cref="RateLimitOptions.SharedBatchFraction"/> of the limit and admits from its
/// batch: the deployment as a whole never admits more than the limit per window, and everything starts over with the
/// next window, so an instance holding unused permits delays the others at most until then. Without one (the local
/// server), an in-process limiter. If the shared store fails, the instance falls back to its in-process limiter rather
/// than refusing or admitting everything.
/// </para>
/// </summary>
public sealed partial class ApiRateLimiter : IDisposable
{
    private readonly RateLimitOptions _options;
    private readonly PartitionedRateLimiter<(Guid KeyId, RateLimitCategory Category)> _limiter;
    private readonly ISharedWindowCounter? _shared;
    private readonly TimeProvider _time;
    private readonly ILogger<ApiRateLimiter> _logger;
    private readonly ConcurrentDictionary<(Guid KeyId, RateLimitCategory Category), Batch> _batches = new();

    public ApiRateLimiter(IOptions<RateLimitOptions> options, TimeProvider time, ILogger<ApiRateLimiter> logger, ISharedWindowCounter? shared = null)
    {
        _options = options.Value;
        _shared = shared;
        _time = time;
        _logger = logger;
        _limiter = PartitionedRateLimiter.Create<(Guid KeyId, RateLimitCategory Category), (Guid, RateLimitCategory)>(
            resource => RateLimitPartition.GetFixedWindowLimiter(resource, key => new FixedWindowRateLimiterOptions
            {
                PermitLimit = _options.LimitFor(key.Item2),
                Window = _options.Window,
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
    }

    /// <summary>Takes one request from the key's budget, or throws a 429 carrying when to retry.</summary>
    public ValueTask AcquireAsync(Guid keyId, RateLimitCategory category, CancellationToken cancellationToken)
    {
        if (!_options.Enabled)
        {
            return ValueTask.CompletedTask;
        }

        if (_shared is null)
        {
            AcquireInProcess(keyId, category);
            return ValueTask.CompletedTask;
        }

        return AcquireSharedAsync(keyId, category, cancellationToken);
    }

    public void Dispose() => _limiter.Dispose();

    private void AcquireInProcess(Guid keyId, RateLimitCategory category)
    {
        using var lease = _limiter.AttemptAcquire((keyId, category));
        if (!lease.IsAcquired)
        {
            var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : _options.Window;
            throw new RateLimitedException(retryAfter);
        }
    }

    private async ValueTask AcquireSharedAsync(Guid keyId, RateLimitCategory category, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var window = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % _options.Window.Ticks), TimeSpan.Zero);
        var batch = _batches.GetOrAdd((keyId, category), _ => new Batch());
        switch (batch.TryTake(window))
        {
            case Outcome.Admitted:
                return;
            case Outcome.Spent:
                throw new RateLimitedException(window + _options.Window - now);
        }

        // One refill per key and category at a time: requests arriving meanwhile wait for it rather than each taking a batch.
        await batch.Refill.WaitAsync(cancellationToken);
        try
        {
            switch (batch.TryTake(window))
            {
                case Outcome.Admitted:
                    return;
                case Outcome.Spent:
                    throw new RateLimitedException(window + _options.Window - now);
            }

            var limit = _options.LimitFor(category);
            int granted;
            try
            {
                granted = await _shared!.TakeAsync($"{keyId:N}-{category}", window, _options.Window, BatchSize(limit), limit, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogSharedUnavailable(ex, category);
                AcquireInProcess(keyId, category);
                return;
            }

            if (!batch.Add(window, granted))
            {
                throw new RateLimitedException(window + _options.Window - now);
            }
        }
        finally
        {
            batch.Refill.Release();
        }
    }

    private int BatchSize(int limit) => Math.Max(1, (int)(limit * _options.SharedBatchFraction));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shared rate limits are unavailable; limiting {Category} in this instance alone until they answer")]
    private partial void LogSharedUnavailable(Exception exception, RateLimitCategory category);

    private enum Outcome
    {
        Admitted,
        Spent,
        Empty,
    }

    /// <summary>The permits this instance holds for one key and category in the current window.</summary>
    private sealed class Batch
    {
        private readonly Lock _lock = new();
        private DateTimeOffset _window;
        private int _held;
        private bool _spent;

        public SemaphoreSlim Refill { get; } = new(1, 1);

        public Outcome TryTake(DateTimeOffset window)
        {
            lock (_lock)
            {
                Roll(window);
                if (_held > 0)
                {
                    _held--;
                    return Outcome.Admitted;
                }

                return _spent ? Outcome.Spent : Outcome.Empty;
            }
        }

        /// <summary>Adds a granted batch and takes one permit of it; false when the window's permits are all gone.</summary>
        public bool Add(DateTimeOffset window, int granted)
        {
            lock (_lock)
            {
                Roll(window);
                if (granted <= 0)
                {
                    _spent = true;
                    return false;
                }

                _held += granted - 1;
                return true;
            }
        }

        private void Roll(DateTimeOffset window)
        {
            if (window != _window)
            {
                (_window, _held, _spent) = (window, 0, false);
            }
        }
    }
}
