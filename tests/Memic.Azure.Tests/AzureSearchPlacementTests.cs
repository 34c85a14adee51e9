using Memic.Core.Ports;
using Memic.Embedded.Tests;

namespace Memic.Azure.Tests;

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
}
