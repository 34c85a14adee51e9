using BenchmarkDotNet.Attributes;
using Memic.Core.Keys;
using Memic.Core.Tenancy;
using Memic.Embedded;
using Memic.Embedded.Catalog;
using Memic.Embedded.Keys;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Memic.Benchmarks;

/// <summary>
/// The per-request cost of checking a key once it is cached (DESIGN target: ≤ 5 µs), against the
/// uncached SQLite lookup as the baseline it saves.
/// </summary>
[MemoryDiagnoser]
public class KeyVerificationBenchmarks
{
    private string _dataDirectory = "";
    private ApiKeyVerifier _cachedVerifier = null!;
    private ApiKeyVerifier _uncachedVerifier = null!;
    private SqliteApiKeyStore _store = null!;
    private string _key = "";
    private string _unknownKey = "";

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _dataDirectory = Directory.CreateTempSubdirectory("memic-bench-").FullName;
        var options = Options.Create(new EmbeddedOptions { DataDirectory = _dataDirectory });
        var catalog = new SqliteCatalog(options);
        _store = new SqliteApiKeyStore(options);

        var now = DateTimeOffset.UtcNow;
        var organization = new Organization(Guid.NewGuid(), "Bench", now);
        var project = new Project(Guid.NewGuid(), "Bench", organization.Id, true, now, now);
        var environment = new MemicEnvironment(Guid.NewGuid(), "bench", "bench", project.Id, organization.Id, EnvironmentStatus.Ready, now, now);
        await catalog.AddOrganizationAsync(organization, true, default);
        await catalog.AddProjectAsync(project, true, default);
        await catalog.AddEnvironmentAsync(environment, default);

        _key = ApiKeyFormat.NewEnvironmentKey();
        _unknownKey = ApiKeyFormat.NewEnvironmentKey();
        await _store.PutAsync(new ApiKeyBinding(ApiKeyFormat.Hash(_key), KeyScope.Environment, Guid.NewGuid(), environment.Id), default);

        _cachedVerifier = new ApiKeyVerifier(_store, catalog, catalog, Options.Create(new KeyVerificationOptions()), TimeProvider.System, NullLogger<ApiKeyVerifier>.Instance);
        // A 1-tick TTL makes every call a miss: the cost the cache saves.
        _uncachedVerifier = new ApiKeyVerifier(_store, catalog, catalog,
            Options.Create(new KeyVerificationOptions { PositiveCacheTtl = TimeSpan.FromTicks(1), NegativeCacheTtl = TimeSpan.FromTicks(1) }),
            TimeProvider.System, NullLogger<ApiKeyVerifier>.Instance);
        await _cachedVerifier.VerifyAsync(_key, default);
        await _cachedVerifier.VerifyAsync(_unknownKey, default);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _cachedVerifier.Dispose();
        _uncachedVerifier.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "uncached: SQLite key store + catalog lookup")]
    public ValueTask<Caller?> Uncached() => _uncachedVerifier.VerifyAsync(_key, default);

    [Benchmark(Description = "cached valid key")]
    public ValueTask<Caller?> CachedValid() => _cachedVerifier.VerifyAsync(_key, default);

    [Benchmark(Description = "cached unknown key")]
    public ValueTask<Caller?> CachedUnknown() => _cachedVerifier.VerifyAsync(_unknownKey, default);

    [Benchmark(Description = "malformed key")]
    public ValueTask<Caller?> Malformed() => _cachedVerifier.VerifyAsync("not-a-key", default);
}
