using Memic.Core.Errors;
using Memic.Core.Ports;
using Memic.Http.RateLimiting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Memic.Http.Tests;

/// <summary>The limiter over a shared counter: batches from the shared window, and the in-process fallback.</summary>
public sealed class SharedRateLimiterTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ApiRateLimiter Limiter(ISharedWindowCounter counter, int search = 20) =>
        new(Options.Create(new RateLimitOptions { Search = search, SharedBatchFraction = 0.1, Window = TimeSpan.FromHours(1) }), TimeProvider.System, NullLogger<ApiRateLimiter>.Instance, counter);

    [Fact]
    public async Task Instances_sharing_a_counter_admit_no_more_than_the_limit_together_taking_permits_in_batches()
    {
        var counter = new InMemoryCounter();
        using var first = Limiter(counter);
        using var second = Limiter(counter);
        var key = Guid.NewGuid();

        var admitted = 0;
        for (var i = 0; i < 30; i++)
        {
            foreach (var limiter in new[] { first, second })
            {
                try
                {
                    await limiter.AcquireAsync(key, RateLimitCategory.Search, Ct);
                    admitted++;
                }
                catch (RateLimitedException limited)
                {
                    Assert.InRange(limited.RetryAfter, TimeSpan.FromTicks(1), TimeSpan.FromHours(1));
                }
            }
        }

        Assert.Equal(20, admitted);
        Assert.Equal(20 / 2, counter.Calls - counter.Refusals);
    }

    [Fact]
    public async Task A_failing_shared_counter_falls_back_to_the_in_process_limit()
    {
        using var limiter = Limiter(new FailingCounter(), search: 3);
        var key = Guid.NewGuid();

        for (var i = 0; i < 3; i++)
        {
            await limiter.AcquireAsync(key, RateLimitCategory.Search, Ct);
        }

        await Assert.ThrowsAsync<RateLimitedException>(async () => await limiter.AcquireAsync(key, RateLimitCategory.Search, Ct));
    }

    private sealed class InMemoryCounter : ISharedWindowCounter
    {
        private readonly Dictionary<(string, DateTimeOffset), int> _taken = [];

        public int Calls { get; private set; }

        public int Refusals { get; private set; }

        public Task<int> TakeAsync(string key, DateTimeOffset windowStart, TimeSpan window, int wanted, int limit, CancellationToken cancellationToken)
        {
            lock (_taken)
            {
                Calls++;
                var taken = _taken.GetValueOrDefault((key, windowStart));
                var granted = Math.Max(0, Math.Min(wanted, limit - taken));
                _taken[(key, windowStart)] = taken + granted;
                Refusals += granted == 0 ? 1 : 0;
                return Task.FromResult(granted);
            }
        }
    }

    private sealed class FailingCounter : ISharedWindowCounter
    {
        public Task<int> TakeAsync(string key, DateTimeOffset windowStart, TimeSpan window, int wanted, int limit, CancellationToken cancellationToken) =>
            throw new TransientException("Table Storage is down.");
    }
}
