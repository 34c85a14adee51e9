using Azure.Data.Tables;
using Memic.Azure.Catalog;
using Memic.Core.Ports;
using Memic.Embedded.Tests;

namespace Memic.Azure.Tests;

/// <summary>
/// Tables of one test: every test gets its own table prefix (xunit makes a class instance per test), and the
/// tables go when it ends.
/// </summary>
public sealed class AzureTables : IAsyncDisposable
{
    private readonly string _prefix = Azurite.UniqueName("t");
    private readonly HashSet<string> _opened = [];

    public AzureTableCatalog Open(string storageName = "main")
    {
        var prefix = _prefix + storageName;
        _opened.Add(prefix);
        return new AzureTableCatalog(Azurite.TableService(), Azurite.TableOptions(prefix));
    }

    public async ValueTask DisposeAsync()
    {
        var service = new TableServiceClient(Azurite.ConnectionString);
        foreach (var prefix in _opened)
        {
            await service.DeleteTableAsync(prefix + "Tenancy");
            await service.DeleteTableAsync(prefix + "EnvironmentData");
        }
    }
}

public sealed class AzureTableCatalogTests : TenancyCatalogContract, IAsyncLifetime
{
    private readonly AzureTables _tables = new();

    public ValueTask InitializeAsync() => new(Azurite.RequireAsync());

    public ValueTask DisposeAsync() => _tables.DisposeAsync();

    protected override (ITenancyCatalog Tenancy, IKeyCatalog Keys, IHostSettingsCatalog Settings) OpenCatalog(string storageName = "main")
    {
        var catalog = _tables.Open(storageName);
        return (catalog, catalog, catalog);
    }
}
