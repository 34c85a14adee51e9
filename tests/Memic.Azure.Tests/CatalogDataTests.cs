using Memic.Embedded;
using Memic.Embedded.Catalog;
using Memic.Embedded.Tests;
using Microsoft.Extensions.Options;

namespace Memic.Azure.Tests;

public sealed class AzureTableCatalogDataTests : CatalogDataContract, IAsyncLifetime
{
    private readonly AzureTables _tables = new();

    public ValueTask InitializeAsync() => new(Azurite.RequireAsync());

    public ValueTask DisposeAsync() => _tables.DisposeAsync();

    protected override CatalogPorts OpenCatalog()
    {
        var catalog = _tables.Open();
        return new CatalogPorts(catalog, catalog, catalog, catalog, catalog, catalog, catalog, catalog);
    }
}

/// <summary>The reference adapter under the same suite: what the Azure adapter is held to is what SQLite does.</summary>
public sealed class SqliteCatalogDataTests : CatalogDataContract, IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    protected override CatalogPorts OpenCatalog()
    {
        var catalog = new SqliteCatalog(Options.Create(new EmbeddedOptions { DataDirectory = _directory.Path }));
        return new CatalogPorts(catalog, catalog, catalog, catalog, catalog, catalog, catalog, catalog);
    }

    public void Dispose() => _directory.Dispose();
}
