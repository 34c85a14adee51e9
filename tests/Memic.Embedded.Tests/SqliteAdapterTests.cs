using System.Text;
using Memic.Core.Keys;
using Memic.Core.Ports;
using Memic.Embedded.Catalog;
using Memic.Embedded.Keys;
using Microsoft.Extensions.Options;

namespace Memic.Embedded.Tests;

public sealed class SqliteCatalogTests : TenancyCatalogContract, IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    protected override (ITenancyCatalog Tenancy, IKeyCatalog Keys, IHostSettingsCatalog Settings) OpenCatalog(string storageName = "main")
    {
        var catalog = new SqliteCatalog(Options.Create(new EmbeddedOptions { DataDirectory = Path.Combine(_directory.Path, storageName) }));
        return (catalog, catalog, catalog);
    }

    public void Dispose() => _directory.Dispose();
}

public sealed class SqliteApiKeyStoreTests : ApiKeyStoreContract, IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    protected override IApiKeyStore OpenStore() => new SqliteApiKeyStore(Options.Create(new EmbeddedOptions { DataDirectory = _directory.Path }));

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task No_plaintext_key_is_written_anywhere_in_the_data_directory()
    {
        var store = OpenStore();
        var catalog = new SqliteCatalog(Options.Create(new EmbeddedOptions { DataDirectory = _directory.Path }));
        var key = ApiKeyFormat.NewEnvironmentKey();
        var hash = ApiKeyFormat.Hash(key);
        await store.PutAsync(new ApiKeyBinding(hash, KeyScope.Environment, Guid.NewGuid(), null), Ct);
        await catalog.SetSettingAsync("probe", "x", Ct);

        var randomPart = Encoding.ASCII.GetBytes(key["mk_live_".Length..]);
        // Closing the pooled connections checkpoints the write-ahead logs into the database files, so the scan below
        // reads everything written, and no log vanishes mid-scan when another test clears the (process-wide) pools.
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var files = Directory.EnumerateFiles(_directory.Path, "*", SearchOption.AllDirectories).ToDictionary(f => f, ReadIfPresent);

        Assert.Contains(files.Keys, f => f.EndsWith("keys.db", StringComparison.Ordinal));
        Assert.All(files.Values, bytes => Assert.Equal(-1, bytes.AsSpan().IndexOf(randomPart)));
        // The hash, by contrast, is stored: proves the scan reads the files the binding went to.
        Assert.Contains(files.Values, bytes => bytes.AsSpan().IndexOf(hash) >= 0);
    }

    private static byte[] ReadIfPresent(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (FileNotFoundException)
        {
            return [];
        }
    }
}
