using Memic.Azure.Limits;
using Microsoft.Extensions.Logging.Abstractions;

namespace Memic.Azure.Tests.Limits;

/// <summary>The shared monthly counter behind cross-instance quotas, on Table Storage (Azurite).</summary>
public sealed class AzureTableQuotaCounterTests
{
    private static readonly DateTimeOffset December = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static AzureTableQuotaCounter Counter(string prefix) =>
        new(Azurite.TableService(), Azurite.TableOptions(prefix), NullLogger<AzureTableQuotaCounter>.Instance);

    [Fact]
    public async Task Instances_reserving_at_once_never_reserve_more_than_the_quota_together()
    {
        await Azurite.RequireAsync();
        var prefix = Azurite.UniqueName("Quotas");
        var instances = Enumerable.Range(0, 4).Select(_ => Counter(prefix)).ToList();

        var reserved = await Task.WhenAll(Enumerable.Range(0, 60).Select(i => instances[i % 4].ReserveAsync("env-searches", December, limit: 200, share: 0.05, Ct)));
        var drained = 0L;
        while (await instances[0].ReserveAsync("env-searches", December, limit: 200, share: 0.05, Ct) is > 0 and var more)
        {
            drained += more;
        }

        Assert.Equal(200, reserved.Sum() + drained);
        Assert.All(reserved, r => Assert.InRange(r, 1, 10));
        Assert.Equal(200, await instances[1].ReadAsync("env-searches", December, Ct));
        Assert.Equal(0, await instances[2].ReserveAsync("env-searches", December, limit: 200, share: 0.05, Ct));
        Assert.Equal(10, await instances[3].ReserveAsync("env-searches", December.AddMonths(1), limit: 200, share: 0.05, Ct));
    }

    [Fact]
    public async Task Reservations_shrink_with_what_remains_down_to_single_ones()
    {
        await Azurite.RequireAsync();
        var counter = Counter(Azurite.UniqueName("Quotas"));

        var sizes = new List<long>();
        while (await counter.ReserveAsync("k", December, limit: 100, share: 0.1, Ct) is > 0 and var size)
        {
            sizes.Add(size);
        }

        Assert.Equal(10, sizes[0]);
        Assert.Equal(100, sizes.Sum());
        Assert.Equal(sizes.OrderDescending(), sizes);
        Assert.Equal(1, sizes[^1]);
    }

    [Fact]
    public async Task Given_back_reservations_can_be_reserved_again_and_added_amounts_are_counted()
    {
        await Azurite.RequireAsync();
        var counter = Counter(Azurite.UniqueName("Quotas"));
        while (await counter.ReserveAsync("searches", December, limit: 20, share: 0.1, Ct) > 0)
        {
        }

        var afterReturn = await counter.AddAsync("searches", December, -3, Ct);
        var again = await counter.ReserveAsync("searches", December, limit: 20, share: 0.1, Ct);
        var tokens = await counter.AddAsync("tokens", December, 1_500, Ct);
        tokens = await counter.AddAsync("tokens", December, 2_500, Ct);
        var neverNegative = await counter.AddAsync("other", December, -5, Ct);

        Assert.Equal(17, afterReturn);
        Assert.Equal(1, again);
        Assert.Equal(4_000, tokens);
        Assert.Equal(0, neverNegative);
    }
}
