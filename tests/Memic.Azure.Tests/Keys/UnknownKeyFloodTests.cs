using System.Net;
using Memic.Azure.KeyVault;
using Memic.Core.Errors;
using Memic.Core.Keys;
using Memic.Core.Tenancy;
using Memic.Embedded;
using Memic.Embedded.Catalog;
using Memic.Embedded.Tests;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Memic.Azure.Tests.Keys;

/// <summary>
/// A flood of random <c>mk_</c> keys at ten times what the vault serves must not take real keys down with it: the
/// verifier sheds unknown keys past its own lookup rate (below the vault's), so real keys' re-checks keep finding room.
/// The vault throttles on the same fake clock the verifier runs on, so the simulated seconds are exact.
/// </summary>
public sealed class UnknownKeyFloodTests : IDisposable
{
    private const int VaultReadsPerSecond = 20;
    private const int FloodPerSecond = 10 * VaultReadsPerSecond;
    private const int TicksPerSecond = 10;
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1.0 / TicksPerSecond);

    private readonly FakeKeyVault _vault = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero));
    private readonly TemporaryDirectory _directory = new();
    private long _second = -1;
    private int _readsThisSecond;
    private int _throttled;

    public UnknownKeyFloodTests()
    {
        // Runs under the fake vault's lock, so the counting needs none of its own.
        _vault.Override = request =>
        {
            if (request.Method != "GET")
            {
                return null;
            }

            var second = _time.GetUtcNow().UtcTicks / TimeSpan.TicksPerSecond;
            (_second, _readsThisSecond) = second == _second ? (_second, _readsThisSecond + 1) : (second, 1);
            if (_readsThisSecond <= VaultReadsPerSecond)
            {
                return null;
            }

            _throttled++;
            return HttpStatusCode.TooManyRequests;
        };
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _vault.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public async Task Real_keys_and_their_rechecks_keep_working_through_a_flood_of_ten_times_the_vaults_rate()
    {
        var store = new KeyVaultKeyStore(_vault.Client(), NullLogger<KeyVaultKeyStore>.Instance);
        var catalog = new SqliteCatalog(Options.Create(new EmbeddedOptions { DataDirectory = _directory.Path }));
        var realKeys = await SeedKeysAsync(store, catalog, count: 5);
        using var verifier = new ApiKeyVerifier(store, catalog, catalog, Options.Create(new KeyVerificationOptions
        {
            PositiveCacheTtl = TimeSpan.FromSeconds(2),
            MaxUnknownKeyLookupsPerSecond = VaultReadsPerSecond / 2,
        }), _time, NullLogger<ApiKeyVerifier>.Instance);
        foreach (var (key, _) in realKeys)
        {
            Assert.NotNull(await verifier.VerifyAsync(key, Ct));
        }

        var realFailures = new List<string>();
        var (shed, refusedUnknown) = (0, 0);
        for (var tick = 0; tick < 10 * TicksPerSecond; tick++)
        {
            var flood = Enumerable.Range(0, FloodPerSecond / TicksPerSecond).Select(async i =>
            {
                try
                {
                    return await verifier.VerifyAsync(ApiKeyFormat.NewEnvironmentKey(), $"10.1.{tick}.{i}", Ct) is null ? "unknown" : "admitted";
                }
                catch (KeyVerificationBusyException)
                {
                    return "shed";
                }
                catch (TransientException)
                {
                    return "vault-busy";
                }
            }).ToList();

            foreach (var (key, environmentId) in realKeys)
            {
                try
                {
                    var caller = await verifier.VerifyAsync(key, "192.0.2.7", Ct);
                    if (caller?.Environment?.Environment.Id != environmentId)
                    {
                        realFailures.Add($"tick {tick}: refused");
                    }
                }
                catch (MemicException ex)
                {
                    realFailures.Add($"tick {tick}: {ex.Code}");
                }
            }

            var outcomes = await Task.WhenAll(flood);
            Assert.DoesNotContain("admitted", outcomes);
            shed += outcomes.Count(o => o == "shed");
            refusedUnknown += outcomes.Count(o => o == "unknown");
            _time.Advance(Tick);
        }

        var realSecretReads = _vault.Requests.Count(r => r.Method == "GET" && realKeys.Any(k => r.Uri.AbsolutePath.Contains(Convert.ToHexStringLower(ApiKeyFormat.Hash(k.Key)), StringComparison.Ordinal)));
        Assert.Empty(realFailures);
        Assert.InRange(realSecretReads, 5 * 4, 5 * 7);
        Assert.True(shed >= FloodPerSecond * 10 * 8 / 10, $"Only {shed} of {FloodPerSecond * 10} flood requests were shed at once.");
        Assert.InRange(refusedUnknown, 1, (VaultReadsPerSecond / 2 * 10) + (VaultReadsPerSecond / 2 * TokenBurstSeconds));
    }

    /// <summary>The verifier's burst allowance (five seconds of its rate): the most unknown keys it looks up beyond the steady rate.</summary>
    private const int TokenBurstSeconds = 5;

    private async Task<List<(string Key, Guid EnvironmentId)>> SeedKeysAsync(KeyVaultKeyStore store, SqliteCatalog catalog, int count)
    {
        var at = _time.GetUtcNow();
        var organization = new Organization(Guid.NewGuid(), "Acme", at);
        await catalog.AddOrganizationAsync(organization, isDefault: true, Ct);
        var project = new Project(Guid.NewGuid(), "Docs", organization.Id, true, at, at);
        await catalog.AddProjectAsync(project, isDefault: true, Ct);
        var keys = new List<(string, Guid)>();
        for (var i = 0; i < count; i++)
        {
            var environment = new MemicEnvironment(Guid.NewGuid(), $"env-{i}", $"env-{i}", project.Id, organization.Id, EnvironmentStatus.Ready, at, at);
            await catalog.AddEnvironmentAsync(environment, Ct);
            var key = ApiKeyFormat.NewEnvironmentKey();
            await store.PutAsync(new ApiKeyBinding(ApiKeyFormat.Hash(key), KeyScope.Environment, Guid.NewGuid(), environment.Id), Ct);
            keys.Add((key, environment.Id));
        }

        return keys;
    }
}
