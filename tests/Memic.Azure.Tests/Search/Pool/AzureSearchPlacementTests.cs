using Memic.Azure.Search.Pool;
using Memic.Core.Ports;
using Memic.Core.Tenancy;

namespace Memic.Azure.Tests.Search.Pool;

public sealed class AzureSearchPlacementTests : SearchPlacementCatalogContract, IAsyncLifetime
{
    private readonly AzureTables _tables = new();

    public ValueTask InitializeAsync() => new(Azurite.RequireAsync());

    public ValueTask DisposeAsync() => _tables.DisposeAsync();

    protected override (ITenancyCatalog Tenancy, ISearchPlacementCatalog Placements) OpenPlacementCatalog(string storageName = "main")
    {
        var catalog = _tables.Open(storageName);
        return (catalog, catalog);
    }

    [Fact]
    public async Task Sixty_four_concurrent_placements_on_one_service_from_four_instances_all_succeed_and_are_counted_exactly()
    {
        var instances = Enumerable.Range(0, 4).Select(_ => _tables.Open()).ToList();
        var at = new DateTimeOffset(2026, 12, 3, 19, 0, 0, TimeSpan.Zero);
        var organization = new Organization(Guid.NewGuid(), "Acme", at);
        await instances[0].AddOrganizationAsync(organization, isDefault: true, Ct);
        var project = new Project(Guid.NewGuid(), "Docs", organization.Id, true, at, at);
        await instances[0].AddProjectAsync(project, isDefault: true, Ct);
        var environments = new List<Guid>();
        for (var i = 0; i < 64; i++)
        {
            var environment = new MemicEnvironment(Guid.NewGuid(), $"env-{i}", $"env {i}", project.Id, organization.Id, EnvironmentStatus.Provisioning, at, at);
            await instances[0].AddEnvironmentAsync(environment, Ct);
            environments.Add(environment.Id);
        }

        var results = await Task.WhenAll(environments.Select((id, i) => Task.Run(() => instances[i % 4].TryPlaceAsync(id, "srch-a", 100, Ct), Ct)));

        Assert.All(results, r => Assert.Equal("srch-a", r));
        Assert.Equal(64, (await instances[1].CountPlacementsAsync(Ct))["srch-a"]);
    }
}
