using Memic.Core.Errors;
using Memic.Core.Ports;
using Memic.Core.Quotas;
using Memic.Core.Usage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Memic.Core.Tests.Quotas;

/// <summary>Monthly quotas held by reservations from a counter every instance shares (docs/limits.md).</summary>
public sealed class SharedQuotaServiceTests
{
    private static readonly Guid Environment = Guid.NewGuid();

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero));
    private readonly Quotas _catalog = new(new EnvironmentQuotas(MaxMonthlySearches: 100, MaxMonthlyEmbeddingTokens: 1_000));
    private readonly SharedCounter _shared = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Instances_admit_from_reservations_and_together_never_past_the_quota()
    {
        var instances = Enumerable.Range(0, 3).Select(_ => Service()).ToList();

        var admitted = 0;
        for (var i = 0; i < 150; i++)
        {
            try
            {
                await instances[i % 3].CheckSearchAsync(Environment, Ct);
                admitted++;
            }
            catch (QuotaExceededException)
            {
            }
        }

        Assert.InRange(admitted, 97, 100);
        Assert.Equal(100, _shared.Total($"{Environment:N}-{QuotaService.MaxMonthlySearches}"));
        Assert.True(_shared.Calls < admitted, $"{_shared.Calls} round trips for {admitted} admissions");
    }

    [Fact]
    public async Task An_instance_that_stops_gives_back_what_it_reserved_and_did_not_use()
    {
        var stopping = Service();
        await stopping.CheckSearchAsync(Environment, Ct);
        var reservedBeforeStop = _shared.Total($"{Environment:N}-{QuotaService.MaxMonthlySearches}");

        await stopping.ReturnUnusedAsync(Ct);

        Assert.Equal(5, reservedBeforeStop);
        Assert.Equal(1, _shared.Total($"{Environment:N}-{QuotaService.MaxMonthlySearches}"));
    }

    [Fact]
    public async Task Embedding_tokens_another_instance_recorded_stop_new_ingestions_at_once()
    {
        var ingesting = Service();
        var other = Service();
        await other.CheckIngestionAsync(Environment, Ct);

        await ingesting.RecordEmbeddingTokensAsync(Environment, 1_000, Ct);

        var refused = await Assert.ThrowsAsync<QuotaExceededException>(() => other.CheckIngestionAsync(Environment, Ct));
        Assert.Contains(QuotaService.MaxMonthlyEmbeddingTokens, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task When_the_shared_counter_fails_the_metered_counts_alone_decide()
    {
        _shared.Fail = true;
        var service = Service();

        await service.CheckSearchAsync(Environment, Ct);
        await service.CheckIngestionAsync(Environment, Ct);
    }

    private QuotaService Service()
    {
        var options = Options.Create(new UsageOptions());
        var usage = new UsageMeter(new NoUsage(), options, _time, NullLogger<UsageMeter>.Instance);
        return new QuotaService(_catalog, usage, options, _time, NullLogger<QuotaService>.Instance, _shared);
    }

    private sealed class Quotas(EnvironmentQuotas quotas) : IQuotaCatalog
    {
        public Task<EnvironmentQuotas> GetQuotasAsync(Guid environmentId, CancellationToken cancellationToken) => Task.FromResult(quotas);

        public Task SetQuotasAsync(Guid environmentId, EnvironmentQuotas quotas, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<EnvironmentHoldings> GetHoldingsAsync(Guid environmentId, CancellationToken cancellationToken) => Task.FromResult(new EnvironmentHoldings(0, 0));
    }

    private sealed class NoUsage : IUsageCatalog
    {
        public Task WriteUsageAsync(Guid instanceId, IReadOnlyList<UsageSlice> slices, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<IReadOnlyList<HourlyUsage>> GetUsageAsync(Guid environmentId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<HourlyUsage>>([]);
    }

    /// <summary>The shared row in memory, with the Table Storage adapter's arithmetic.</summary>
    private sealed class SharedCounter : ISharedQuotaCounter
    {
        private readonly Dictionary<(string, DateTimeOffset), long> _rows = [];

        public bool Fail { get; set; }

        public int Calls { get; private set; }

        public long Total(string key) => _rows.Where(r => r.Key.Item1 == key).Sum(r => r.Value);

        public Task<long> ReserveAsync(string key, DateTimeOffset month, long limit, double share, CancellationToken cancellationToken)
        {
            var total = Read(key, month);
            var remaining = limit - total;
            var reserved = remaining <= 0 ? 0 : Math.Clamp((long)(remaining * share), 1, remaining);
            _rows[(key, month)] = total + reserved;
            return Task.FromResult(reserved);
        }

        public Task<long> AddAsync(string key, DateTimeOffset month, long amount, CancellationToken cancellationToken)
        {
            var total = Math.Max(0, Read(key, month) + amount);
            _rows[(key, month)] = total;
            return Task.FromResult(total);
        }

        public Task<long> ReadAsync(string key, DateTimeOffset month, CancellationToken cancellationToken) => Task.FromResult(Read(key, month));

        private long Read(string key, DateTimeOffset month)
        {
            Calls++;
            return Fail ? throw new TransientException("The table is down.") : _rows.GetValueOrDefault((key, month));
        }
    }
}
