using Memic.Azure.Search.Pool;
using Memic.Core.Ports;
using Microsoft.Extensions.Time.Testing;

namespace Memic.Azure.Tests.Search.Pool;

/// <summary>Records when each create-index permission was granted, per service, and lets a test await a number of grants.</summary>
internal sealed class GrantLog(FakeTimeProvider time)
{
    /// <summary>How long a test waits for a signal before failing, so a broken limiter fails instead of hanging.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, List<DateTimeOffset>> _grants = new(StringComparer.Ordinal);
    private readonly List<(string Service, int Count, TaskCompletionSource Reached)> _waiters = [];

    public async Task RequestAsync(ISearchServiceLocator locator, SearchServiceLocation service)
    {
        await Task.Yield();
        await locator.WaitToCreateIndexAsync(service, TestContext.Current.CancellationToken);
        Record(service.Name);
    }

    public void Record(string service)
    {
        lock (_lock)
        {
            var grants = GrantsOf(service);
            grants.Add(time.GetUtcNow());
            foreach (var waiter in _waiters.Where(w => w.Service == service && grants.Count >= w.Count))
            {
                waiter.Reached.TrySetResult();
            }
        }
    }

    public int Count(SearchServiceLocation service)
    {
        lock (_lock)
        {
            return GrantsOf(service.Name).Count;
        }
    }

    public IReadOnlyList<DateTimeOffset> Times(string service)
    {
        lock (_lock)
        {
            return [.. GrantsOf(service)];
        }
    }

    public Task WaitForAsync(SearchServiceLocation service, int count)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (GrantsOf(service.Name).Count >= count)
            {
                return Task.CompletedTask;
            }

            _waiters.Add((service.Name, count, reached));
        }

        return reached.Task.WaitAsync(Patience, TestContext.Current.CancellationToken);
    }

    /// <summary>No window of one minute, starting at any grant, holds more than <paramref name="limit"/> grants.</summary>
    public void AssertNoWindowExceeds(SearchServiceLocation service, int limit) => AssertNoWindowExceeds(Times(service.Name), limit);

    public static void AssertNoWindowExceeds(IReadOnlyList<DateTimeOffset> times, int limit)
    {
        var sorted = times.Order().ToList();
        for (var i = 0; i < sorted.Count; i++)
        {
            var inWindow = sorted.Skip(i).TakeWhile(t => t - sorted[i] < TimeSpan.FromMinutes(1)).Count();
            Assert.True(inWindow <= limit, $"{inWindow} create-index calls in the minute from {sorted[i]:O}; the limit is {limit}.");
        }
    }

    private List<DateTimeOffset> GrantsOf(string service)
    {
        if (!_grants.TryGetValue(service, out var grants))
        {
            grants = [];
            _grants[service] = grants;
        }

        return grants;
    }
}
