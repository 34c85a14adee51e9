using Memic.Azure.Search.Pool;
using Memic.Core.Errors;
using Memic.Core.Ports;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Memic.Azure.Tests.Search.Pool;

public sealed class SearchServicePoolTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly InMemoryPlacementCatalog _catalog = new();
    private readonly SignallingTime _time = new(new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 20, 0, 0, TimeSpan.Zero)));

    private static SearchServiceOptions Service(string name, int capacity, int units = 1) =>
        new() { Name = name, Endpoint = new Uri($"https://{name}.search.windows.net/"), IndexCapacity = capacity, SearchUnits = units };

    private SearchServicePool Pool(ISearchServiceDeployer? deployer, params SearchServiceOptions[] services) =>
        Pool(deployer, new SearchPoolOptions { Services = [.. services], GrowthIndexCapacity = 4, GrowthSearchUnits = 2, GrowthNamePrefix = "grown-" });

    private SearchServicePool Pool(ISearchServiceDeployer? deployer, SearchPoolOptions options) =>
        new(_catalog, deployer is null ? [] : [deployer], Options.Create(options), _time, NullLogger<SearchServicePool>.Instance);

    [Fact]
    public async Task Environments_fill_the_first_service_with_room_in_pool_order()
    {
        using var pool = Pool(null, Service("srch-a", 2), Service("srch-b", 2));

        var placed = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            placed.Add((await pool.PlaceAsync(Guid.NewGuid(), Ct)).Name);
        }

        Assert.Equal(["srch-a", "srch-a", "srch-b", "srch-b"], placed);
    }

    [Fact]
    public async Task Placing_again_returns_the_same_service_and_takes_no_new_slot()
    {
        using var pool = Pool(null, Service("srch-a", 1), Service("srch-b", 5));
        var environmentId = Guid.NewGuid();
        var first = await pool.PlaceAsync(environmentId, Ct);

        // A new instance (a restarted process) knows nothing in memory and must find the placement in the catalog.
        using var restarted = Pool(null, Service("srch-a", 1), Service("srch-b", 5));
        var again = await restarted.PlaceAsync(environmentId, Ct);

        Assert.Equal(first, again);
        Assert.Equal(new SearchServiceLocation("srch-a", new Uri("https://srch-a.search.windows.net/")), first);
        Assert.Equal(1, (await _catalog.CountPlacementsAsync(Ct)).Values.Sum());
    }

    [Fact]
    public async Task A_full_pool_without_a_deployer_is_a_clear_error()
    {
        using var pool = Pool(null, Service("srch-a", 1));
        await pool.PlaceAsync(Guid.NewGuid(), Ct);

        var error = await Assert.ThrowsAsync<TransientException>(() => pool.PlaceAsync(Guid.NewGuid(), Ct));

        Assert.Contains("every search service of the pool is full", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Memic:Search:Services", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_full_pool_grows_through_the_deployer_and_records_the_grown_service()
    {
        var deployer = new FakeSearchServiceDeployer();
        using var pool = Pool(deployer, Service("srch-a", 1));
        await pool.PlaceAsync(Guid.NewGuid(), Ct);

        var placed = await pool.PlaceAsync(Guid.NewGuid(), Ct);

        Assert.Equal(["grown-01"], deployer.Deployed);
        Assert.Equal("grown-01", placed.Name);
        var recorded = Assert.Single(await _catalog.ListSearchServicesAsync(Ct));
        Assert.Equal(("grown-01", 4, 2), (recorded.Name, recorded.IndexCapacity, recorded.SearchUnits));
    }

    [Fact]
    public async Task Concurrent_placements_on_a_full_pool_wait_for_one_growth()
    {
        var deployer = new FakeSearchServiceDeployer(open: false);
        using var pool = Pool(deployer, Service("srch-a", 2), Service("srch-b", 1));
        await pool.PlaceAsync(Guid.NewGuid(), Ct);
        await pool.PlaceAsync(Guid.NewGuid(), Ct);
        await pool.PlaceAsync(Guid.NewGuid(), Ct);

        var waiting = Enumerable.Range(0, 4).Select(_ => Task.Run(() => pool.PlaceAsync(Guid.NewGuid(), Ct), Ct)).ToList();
        await deployer.Started.Task.WaitAsync(Ct);
        Assert.All(waiting, t => Assert.False(t.IsCompleted));
        deployer.Gate.SetResult();
        var placed = await Task.WhenAll(waiting);

        Assert.Equal(["grown-01"], deployer.Deployed);
        Assert.All(placed, p => Assert.Equal("grown-01", p.Name));
        Assert.Equal(4, _catalog.MostEverPlacedOn("grown-01"));
    }

    [Fact]
    public async Task Many_concurrent_placements_never_overfill_a_service_and_grow_only_as_needed()
    {
        var deployer = new FakeSearchServiceDeployer();
        using var pool = Pool(deployer, Service("srch-a", 3), Service("srch-b", 3));

        var placed = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => pool.PlaceAsync(Guid.NewGuid(), Ct), Ct)));

        // 6 configured slots, then 14 more at 4 per grown service: exactly four growths.
        Assert.Equal(["grown-01", "grown-02", "grown-03", "grown-04"], deployer.Deployed);
        Assert.Equal(3, _catalog.MostEverPlacedOn("srch-a"));
        Assert.Equal(3, _catalog.MostEverPlacedOn("srch-b"));
        Assert.All(deployer.Deployed, name => Assert.InRange(_catalog.MostEverPlacedOn(name), 1, 4));
        Assert.Equal(20, placed.Length);
    }

    [Fact]
    public async Task Growth_stops_at_the_maximum_number_of_services()
    {
        var deployer = new FakeSearchServiceDeployer();
        using var pool = Pool(deployer, new SearchPoolOptions { Services = [Service("srch-a", 1)], MaxServices = 1 });
        await pool.PlaceAsync(Guid.NewGuid(), Ct);

        var error = await Assert.ThrowsAsync<TransientException>(() => pool.PlaceAsync(Guid.NewGuid(), Ct));

        Assert.Empty(deployer.Deployed);
        Assert.Contains("Memic:Search:MaxServices", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_service_grown_by_another_instance_is_used_without_growing_again()
    {
        var deployer = new FakeSearchServiceDeployer();
        using var first = Pool(deployer, Service("srch-a", 2));
        using var second = Pool(deployer, Service("srch-a", 2));
        await second.PlaceAsync(Guid.NewGuid(), Ct); // the second instance has read the pool before it grew
        await first.PlaceAsync(Guid.NewGuid(), Ct);
        var onGrown = await first.PlaceAsync(Guid.NewGuid(), Ct);

        var placed = await second.PlaceAsync(Guid.NewGuid(), Ct);

        Assert.Equal(onGrown, placed);
        Assert.Equal(["grown-01"], deployer.Deployed);
    }

    [Fact]
    public async Task Find_returns_null_for_an_unplaced_environment_and_caches_a_placed_one()
    {
        using var pool = Pool(null, Service("srch-a", 5));
        var unplaced = Guid.NewGuid();
        var placedId = Guid.NewGuid();
        var placed = await pool.PlaceAsync(placedId, Ct);

        Assert.Null(await pool.FindAsync(unplaced, Ct));
        var readsBefore = _catalog.PlacementReads;
        var found = await pool.FindAsync(placedId, Ct);
        await pool.FindAsync(placedId, Ct);

        Assert.Equal(placed, found);
        Assert.Equal(readsBefore, _catalog.PlacementReads);
    }

    [Fact]
    public async Task Release_frees_the_slot_and_is_idempotent()
    {
        using var pool = Pool(null, Service("srch-a", 1));
        var environmentId = Guid.NewGuid();
        await pool.PlaceAsync(environmentId, Ct);

        await pool.ReleaseAsync(environmentId, Ct);
        await pool.ReleaseAsync(environmentId, Ct);

        Assert.Null(await pool.FindAsync(environmentId, Ct));
        Assert.Equal("srch-a", (await pool.PlaceAsync(Guid.NewGuid(), Ct)).Name);
    }

    [Fact]
    public async Task Create_index_permissions_stay_within_12_per_search_unit_per_minute_and_queued_callers_proceed_as_time_passes()
    {
        using var pool = Pool(null, Service("srch-a", 100, units: 1), Service("srch-b", 100, units: 2));
        var a = new SearchServiceLocation("srch-a", new Uri("https://srch-a.search.windows.net/"));
        var b = new SearchServiceLocation("srch-b", new Uri("https://srch-b.search.windows.net/"));
        var grants = new GrantLog(_time.Fake);

        var onA = Enumerable.Range(0, 30).Select(_ => grants.RequestAsync(pool, a)).ToList();
        var onB = Enumerable.Range(0, 30).Select(_ => grants.RequestAsync(pool, b)).ToList();

        // Both queues are blocked on the clock once each has a caller waiting for time to pass.
        await _time.WaitForWaitsAsync(2, Ct);
        await grants.WaitForAsync(a, 12);
        await grants.WaitForAsync(b, 24);
        Assert.Equal(12, grants.Count(a));
        Assert.Equal(24, grants.Count(b));

        _time.Fake.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(12, grants.Count(a));

        _time.Fake.Advance(TimeSpan.FromSeconds(1));
        await _time.WaitForWaitsAsync(1, Ct);
        await grants.WaitForAsync(a, 24);
        await grants.WaitForAsync(b, 30);
        Assert.Equal(24, grants.Count(a));

        _time.Fake.Advance(TimeSpan.FromMinutes(1));
        await Task.WhenAll(onA.Concat(onB));

        grants.AssertNoWindowExceeds(a, 12);
        grants.AssertNoWindowExceeds(b, 24);
    }

    [Fact]
    public async Task A_cancelled_wait_for_the_create_index_budget_takes_no_permission()
    {
        using var pool = Pool(null, Service("srch-a", 100));
        var a = await pool.PlaceAsync(Guid.NewGuid(), Ct);
        for (var i = 0; i < 12; i++)
        {
            await pool.WaitToCreateIndexAsync(a, Ct).AsTask().WaitAsync(GrantLog.Patience, Ct);
        }

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var waiting = pool.WaitToCreateIndexAsync(a, cancel.Token).AsTask();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        _time.Fake.Advance(TimeSpan.FromMinutes(1));
        for (var i = 0; i < 12; i++)
        {
            // A permission taken by the cancelled caller would make the twelfth wait a minute that never comes.
            await pool.WaitToCreateIndexAsync(a, Ct).AsTask().WaitAsync(GrantLog.Patience, Ct);
        }
    }

    [Fact]
    public void Settings_errors_name_the_setting()
    {
        var options = new SearchPoolOptions
        {
            Services =
            [
                new SearchServiceOptions { Endpoint = new Uri("http://srch-a.search.windows.net/"), IndexCapacity = 0 },
                Service("srch-b", 50, units: 0),
            ],
            GrowthNamePrefix = "Bad_Prefix",
        };

        var result = new SearchPoolOptionsValidation().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("Memic:Search:Services:0:Endpoint must be an absolute https URL", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Memic:Search:Services:0:IndexCapacity must be positive", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Memic:Search:Services:1:SearchUnits", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Memic:Search:GrowthNamePrefix", result.FailureMessage, StringComparison.Ordinal);
        Assert.True(new SearchPoolOptionsValidation().Validate(null, new SearchPoolOptions { Services = [Service("srch-a", 50)] }).Succeeded);
        Assert.True(new SearchPoolOptionsValidation().Validate(null, new SearchPoolOptions()).Failed);
    }

    [Fact]
    public void A_service_without_a_name_is_known_by_its_endpoint_host()
    {
        var service = new SearchServiceOptions { Endpoint = new Uri("https://srch-abc123.search.windows.net"), IndexCapacity = 15 };

        Assert.Equal("srch-abc123", service.EffectiveName);
    }
}
