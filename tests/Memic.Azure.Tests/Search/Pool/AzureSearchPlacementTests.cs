using Memic.Azure.Search.Pool;
using Memic.Core.Ports;

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
}
