using System.Threading.RateLimiting;
using Memic.Core.Errors;
using Microsoft.Extensions.Options;

namespace Memic.Http.RateLimiting;

/// <summary>
/// Per-key, per-category fixed windows. A plain service rather than ASP.NET middleware, because the Functions
/// worker's ASP.NET pipeline is fixed and both hosts must limit the same way.
/// </summary>
public sealed class ApiRateLimiter : IDisposable
{
    private readonly RateLimitOptions _options;
    private readonly PartitionedRateLimiter<(Guid KeyId, RateLimitCategory Category)> _limiter;

    public ApiRateLimiter(IOptions<RateLimitOptions> options)
    {
        _options = options.Value;
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
    public void Acquire(Guid keyId, RateLimitCategory category)
    {
        if (!_options.Enabled)
        {
            return;
        }

        using var lease = _limiter.AttemptAcquire((keyId, category));
        if (!lease.IsAcquired)
        {
            var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : _options.Window;
            throw new RateLimitedException(retryAfter);
        }
    }

    public void Dispose() => _limiter.Dispose();
}
