using Azure.Data.Tables;
using Memic.Azure.Limits;
using Microsoft.Extensions.Logging.Abstractions;

namespace Memic.Azure.Tests.Limits;

/// <summary>The shared fixed-window counter behind cross-instance rate limits, on Table Storage (Azurite).</summary>
public sealed class AzureTableWindowCounterTests
{
    private static readonly DateTimeOffset Window0 = new(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static AzureTableWindowCounter Counter(string prefix) =>
        new(Azurite.TableService(), Azurite.TableOptions(prefix), NullLogger<AzureTableWindowCounter>.Instance);

    [Fact]
    public async Task Instances_taking_batches_at_once_never_take_more_than_the_limit_together()
    {
        await Azurite.RequireAsync();
        var prefix = Azurite.UniqueName("Limits");
        var instances = Enumerable.Range(0, 4).Select(_ => Counter(prefix)).ToList();

        var taken = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => instances[i % 4].TakeAsync("key-search", Window0, Minute, wanted: 3, limit: 60, Ct)));
        var afterwards = await instances[0].TakeAsync("key-search", Window0, Minute, wanted: 3, limit: 60, Ct);
        var otherKey = await instances[1].TakeAsync("other-search", Window0, Minute, wanted: 3, limit: 60, Ct);
        var nextWindow = await instances[2].TakeAsync("key-search", Window0 + Minute, Minute, wanted: 3, limit: 60, Ct);

        Assert.Equal(60, taken.Sum());
        Assert.All(taken, t => Assert.InRange(t, 0, 3));
        Assert.Equal(0, afterwards);
        Assert.Equal(3, otherKey);
        Assert.Equal(3, nextWindow);
    }

    [Fact]
    public async Task The_last_permits_of_a_window_are_handed_out_partially()
    {
        await Azurite.RequireAsync();
        var counter = Counter(Azurite.UniqueName("Limits"));

        var first = await counter.TakeAsync("k", Window0, Minute, wanted: 4, limit: 5, Ct);
        var rest = await counter.TakeAsync("k", Window0, Minute, wanted: 4, limit: 5, Ct);
        var none = await counter.TakeAsync("k", Window0, Minute, wanted: 4, limit: 5, Ct);

        Assert.Equal([4, 1, 0], new[] { first, rest, none });
    }

    [Fact]
    public async Task Opening_a_window_removes_the_row_of_the_window_before_last()
    {
        await Azurite.RequireAsync();
        var prefix = Azurite.UniqueName("Limits");
        var counter = Counter(prefix);
        var table = Azurite.TableService().GetTableClient(prefix + "RateLimits");

        for (var w = 0; w < 5; w++)
        {
            await counter.TakeAsync("k", Window0 + (w * Minute), Minute, wanted: 1, limit: 10, Ct);
        }

        await WaitUntilAsync(async () => (await RowsAsync(table)).Count <= 3);
        var rows = await RowsAsync(table);
        Assert.InRange(rows.Count, 1, 3);
        Assert.Contains((Window0 + (4 * Minute)).UtcTicks.ToString("D19"), rows);
    }

    private static async Task<List<string>> RowsAsync(TableClient table)
    {
        var rows = new List<string>();
        await foreach (var row in table.QueryAsync<TableEntity>(cancellationToken: Ct))
        {
            rows.Add(row.RowKey);
        }

        return rows;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while (!await condition())
        {
            await Task.Delay(50, timeout.Token);
        }
    }
}
