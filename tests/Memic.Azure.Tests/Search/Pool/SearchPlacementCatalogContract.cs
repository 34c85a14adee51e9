using Memic.Azure.Search.Pool;
using Memic.Core.Errors;
using Memic.Core.Ports;
using Memic.Core.Tenancy;

namespace Memic.Azure.Tests.Search.Pool;

/// <summary>
/// What every catalog adapter must do for the search-service pool, whatever stores it. Each adapter's test class
/// derives from this and supplies a fresh, empty catalog.
/// </summary>
public abstract class SearchPlacementCatalogContract
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 20, 0, 0, TimeSpan.Zero);

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A catalog over empty storage. Calling it twice with the same <paramref name="storageName"/> reopens the same storage.</summary>
    protected abstract (ITenancyCatalog Tenancy, ISearchPlacementCatalog Placements) OpenPlacementCatalog(string storageName = "main");

    private async Task<(ITenancyCatalog Tenancy, ISearchPlacementCatalog Placements, Project Project)> SeedAsync()
    {
        var (tenancy, placements) = OpenPlacementCatalog();
        var organization = new Organization(Guid.NewGuid(), "Acme", T0);
        await tenancy.AddOrganizationAsync(organization, isDefault: true, Ct);
        var project = new Project(Guid.NewGuid(), "Docs", organization.Id, true, T0, T0);
        await tenancy.AddProjectAsync(project, isDefault: true, Ct);
        return (tenancy, placements, project);
    }

    private static async Task<MemicEnvironment> AddEnvironmentAsync(ITenancyCatalog tenancy, Project project, string slug)
    {
        var environment = new MemicEnvironment(Guid.NewGuid(), slug, slug, project.Id, project.OrganizationId, EnvironmentStatus.Provisioning, T0, T0);
        await tenancy.AddEnvironmentAsync(environment, Ct);
        return environment;
    }

    [Fact]
    public async Task A_placement_is_recorded_on_the_environment_and_counted_for_its_service()
    {
        var (tenancy, placements, project) = await SeedAsync();
        var environment = await AddEnvironmentAsync(tenancy, project, "alpha");

        var placed = await placements.TryPlaceAsync(environment.Id, "srch-a", 5, Ct);

        Assert.Equal("srch-a", placed);
        Assert.Equal("srch-a", await placements.GetPlacementAsync(environment.Id, Ct));
        Assert.Equal(1, (await placements.CountPlacementsAsync(Ct)).GetValueOrDefault("srch-a"));
        var (_, reopened) = OpenPlacementCatalog();
        Assert.Equal("srch-a", await reopened.GetPlacementAsync(environment.Id, Ct));
        // The environment itself reads as before: placement adds to the row, it changes nothing else.
        Assert.Equal(environment, await tenancy.GetEnvironmentAsync(environment.Id, Ct));
    }

    [Fact]
    public async Task Placing_a_placed_environment_again_keeps_its_first_service_and_counts_it_once()
    {
        var (tenancy, placements, project) = await SeedAsync();
        var environment = await AddEnvironmentAsync(tenancy, project, "alpha");
        await placements.TryPlaceAsync(environment.Id, "srch-a", 5, Ct);

        var again = await placements.TryPlaceAsync(environment.Id, "srch-a", 5, Ct);
        var elsewhere = await placements.TryPlaceAsync(environment.Id, "srch-b", 5, Ct);

        Assert.Equal("srch-a", again);
        Assert.Equal("srch-a", elsewhere);
        var counts = await placements.CountPlacementsAsync(Ct);
        Assert.Equal(1, counts.GetValueOrDefault("srch-a"));
        Assert.Equal(0, counts.GetValueOrDefault("srch-b"));
    }

    [Fact]
    public async Task A_full_service_refuses_a_placement_and_leaves_the_environment_unplaced()
    {
        var (tenancy, placements, project) = await SeedAsync();
        var first = await AddEnvironmentAsync(tenancy, project, "one");
        var second = await AddEnvironmentAsync(tenancy, project, "two");
        await placements.TryPlaceAsync(first.Id, "srch-a", 1, Ct);

        var placed = await placements.TryPlaceAsync(second.Id, "srch-a", 1, Ct);

        Assert.Null(placed);
        Assert.Null(await placements.GetPlacementAsync(second.Id, Ct));
        Assert.Equal(1, (await placements.CountPlacementsAsync(Ct)).GetValueOrDefault("srch-a"));
    }

    [Fact]
    public async Task Concurrent_placements_never_overfill_a_service()
    {
        var (tenancy, placements, project) = await SeedAsync();
        var environments = new List<MemicEnvironment>();
        for (var i = 0; i < 8; i++)
        {
            environments.Add(await AddEnvironmentAsync(tenancy, project, $"env-{i}"));
        }

        var results = await Task.WhenAll(environments.Select(e => Task.Run(() => placements.TryPlaceAsync(e.Id, "srch-a", 3, Ct), Ct)));

        Assert.Equal(3, results.Count(r => r == "srch-a"));
        Assert.Equal(5, results.Count(r => r is null));
        Assert.Equal(3, (await placements.CountPlacementsAsync(Ct)).GetValueOrDefault("srch-a"));
        var recorded = await Task.WhenAll(environments.Select(e => placements.GetPlacementAsync(e.Id, Ct)));
        Assert.Equal(results, recorded);
    }

    [Fact]
    public async Task Concurrent_placements_of_one_environment_on_one_service_count_it_once()
    {
        var (tenancy, placements, project) = await SeedAsync();
        var environment = await AddEnvironmentAsync(tenancy, project, "alpha");
        var other = await AddEnvironmentAsync(tenancy, project, "beta");

        var results = await Task.WhenAll(
            [.. Enumerable.Range(0, 6).Select(_ => Task.Run(() => placements.TryPlaceAsync(environment.Id, "srch-a", 10, Ct), Ct)),
             Task.Run(() => placements.TryPlaceAsync(other.Id, "srch-a", 10, Ct), Ct)]);

        Assert.All(results, r => Assert.Equal("srch-a", r));
        Assert.Equal(2, (await placements.CountPlacementsAsync(Ct))["srch-a"]);
    }

    [Fact]
    public async Task Concurrent_placements_of_one_environment_place_it_exactly_once()
    {
        var (tenancy, placements, project) = await SeedAsync();
        var environment = await AddEnvironmentAsync(tenancy, project, "alpha");
        string[] services = ["srch-a", "srch-b", "srch-c", "srch-d", "srch-e"];

        var results = await Task.WhenAll(services.Select(s => Task.Run(() => placements.TryPlaceAsync(environment.Id, s, 10, Ct), Ct)));

        var winner = Assert.Single(results.Distinct());
        Assert.Contains(winner, services);
        var counts = await placements.CountPlacementsAsync(Ct);
        Assert.Equal(1, counts.Values.Sum());
        Assert.Equal(1, counts[winner!]);
    }

    [Fact]
    public async Task Releasing_frees_the_slot_and_is_idempotent()
    {
        var (tenancy, placements, project) = await SeedAsync();
        var first = await AddEnvironmentAsync(tenancy, project, "one");
        var second = await AddEnvironmentAsync(tenancy, project, "two");
        await placements.TryPlaceAsync(first.Id, "srch-a", 1, Ct);

        await placements.ReleasePlacementAsync(first.Id, Ct);
        await placements.ReleasePlacementAsync(first.Id, Ct);
        await placements.ReleasePlacementAsync(Guid.NewGuid(), Ct);

        Assert.Null(await placements.GetPlacementAsync(first.Id, Ct));
        Assert.Equal(0, (await placements.CountPlacementsAsync(Ct)).GetValueOrDefault("srch-a"));
        Assert.Equal("srch-a", await placements.TryPlaceAsync(second.Id, "srch-a", 1, Ct));
        Assert.Equal(EnvironmentStatus.Provisioning, (await tenancy.GetEnvironmentAsync(first.Id, Ct))!.Status);
    }

    [Fact]
    public async Task Removing_an_environment_frees_its_slot()
    {
        var (tenancy, placements, project) = await SeedAsync();
        var first = await AddEnvironmentAsync(tenancy, project, "one");
        var second = await AddEnvironmentAsync(tenancy, project, "two");
        await placements.TryPlaceAsync(first.Id, "srch-a", 1, Ct);

        await tenancy.RemoveEnvironmentAsync(first.Id, Ct);

        Assert.Equal(0, (await placements.CountPlacementsAsync(Ct)).GetValueOrDefault("srch-a"));
        Assert.Equal("srch-a", await placements.TryPlaceAsync(second.Id, "srch-a", 1, Ct));
    }

    [Fact]
    public async Task A_status_change_keeps_the_placement()
    {
        var (tenancy, placements, project) = await SeedAsync();
        var environment = await AddEnvironmentAsync(tenancy, project, "alpha");
        await placements.TryPlaceAsync(environment.Id, "srch-a", 5, Ct);

        await tenancy.SetEnvironmentStatusAsync(environment.Id, EnvironmentStatus.Ready, T0.AddMinutes(1), Ct);

        Assert.Equal("srch-a", await placements.GetPlacementAsync(environment.Id, Ct));
        Assert.Equal(EnvironmentStatus.Ready, (await tenancy.GetEnvironmentAsync(environment.Id, Ct))!.Status);
    }

    [Fact]
    public async Task Placing_an_unknown_environment_is_not_found()
    {
        var (_, placements, _) = await SeedAsync();

        await Assert.ThrowsAsync<NotFoundException>(() => placements.TryPlaceAsync(Guid.NewGuid(), "srch-a", 5, Ct));
        Assert.Null(await placements.GetPlacementAsync(Guid.NewGuid(), Ct));
        Assert.Empty(await placements.CountPlacementsAsync(Ct));
    }

    [Fact]
    public async Task Grown_services_are_recorded_once_and_listed_oldest_first()
    {
        var (_, placements, _) = await SeedAsync();
        var second = new PooledSearchService("memic-search-02", new Uri("https://memic-search-02.search.windows.net/"), 50, 2, T0.AddMinutes(5));
        var first = new PooledSearchService("memic-search-01", new Uri("https://memic-search-01.search.windows.net/"), 50, 1, T0);

        await placements.AddSearchServiceAsync(second, Ct);
        await placements.AddSearchServiceAsync(first, Ct);
        await placements.AddSearchServiceAsync(first with { IndexCapacity = 7, AddedAt = T0.AddHours(1) }, Ct);

        Assert.Equal([first, second], await placements.ListSearchServicesAsync(Ct));
        var (_, reopened) = OpenPlacementCatalog();
        Assert.Equal([first, second], await reopened.ListSearchServicesAsync(Ct));
    }
}
