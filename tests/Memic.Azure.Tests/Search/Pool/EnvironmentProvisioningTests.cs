using Memic.Azure.Catalog;
using Memic.Azure.Search.Pool;
using Memic.Core.Files;
using Memic.Core.Keys;
using Memic.Core.Ports;
using Memic.Core.Tenancy;
using Memic.Embedded;
using Memic.Embedded.Blobs;
using Memic.Embedded.Keys;
using Memic.Embedded.Tests;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Memic.Azure.Tests.Search.Pool;

/// <summary>
/// Environments provisioned through the real <see cref="EnvironmentService"/> and Azure Table catalog (on Azurite) onto a simulated pool of
/// Azure AI Search services, the way the Azure adapter will use <see cref="SearchServicePool"/>.
/// </summary>
public sealed class EnvironmentProvisioningTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 20, 0, 0, TimeSpan.Zero);

    private readonly TemporaryDirectory _directory = new();
    private readonly AzureTables _tables = new();
    private readonly SignallingTime _time = new(new FakeTimeProvider(T0));
    private readonly SimulatedSearchServices _remote = new();
    private readonly SimulatedDeployer _deployer = new();
    private readonly CrashSwitch _crash = new();
    private readonly List<IDisposable> _processes = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => new(Azurite.RequireAsync());

    public async ValueTask DisposeAsync()
    {
        _processes.ForEach(p => p.Dispose());
        await _tables.DisposeAsync();
        _directory.Dispose();
    }

    /// <summary>One process: its own catalog connections, pool and caches over the shared data directory and remote services.</summary>
    private Process Start(params SearchServiceOptions[] services)
    {
        var process = new Process(_directory.Path, _tables.Open(), _time, _remote, _deployer, _crash, new SearchPoolOptions
        {
            Services = [.. services],
            GrowthIndexCapacity = 20,
            GrowthSearchUnits = 1,
            GrowthNamePrefix = "grown-",
        });
        _processes.Add(process);
        return process;
    }

    private static SearchServiceOptions Service(string name, int capacity) =>
        new() { Name = name, Endpoint = new Uri($"https://{name}.search.windows.net/"), IndexCapacity = capacity, SearchUnits = 1 };

    private static async Task SeedProjectAsync(Process process)
    {
        var organization = new Organization(Guid.NewGuid(), "Acme", T0);
        await process.Catalog.AddOrganizationAsync(organization, isDefault: true, Ct);
        await process.Catalog.AddProjectAsync(new Project(Guid.NewGuid(), "Docs", organization.Id, true, T0, T0), isDefault: true, Ct);
    }

    [Fact]
    public async Task Concurrent_signups_beyond_the_pool_land_on_services_with_room_once_each_within_the_create_index_rate()
    {
        var process = Start(Service("srch-a", 15), Service("srch-b", 15));
        await SeedProjectAsync(process);
        var capacities = new Dictionary<string, int> { ["srch-a"] = 15, ["srch-b"] = 15, ["grown-01"] = 20 };

        var signups = Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() => process.Environments.CreateAsync($"env-{i:D2}", null, null, Ct), Ct)));
        await _time.RunUntilDoneAsync(signups, Ct);
        var created = await signups;

        Assert.All(created, c => Assert.Equal(EnvironmentStatus.Ready, c.Environment.Status));
        var environments = await process.Catalog.ListEnvironmentsAsync(Ct);
        Assert.Equal(40, environments.Count);
        Assert.All(environments, e => Assert.Equal(EnvironmentStatus.Ready, e.Status));
        Assert.Equal(["grown-01"], _deployer.Deployed);

        // Each environment is on one service, and its index was created once, there.
        var placements = new Dictionary<Guid, string>();
        foreach (var environment in environments)
        {
            placements[environment.Id] = Assert.IsType<string>(await process.Catalog.GetPlacementAsync(environment.Id, Ct));
        }

        var calls = _remote.CreateCalls;
        Assert.Equal(40, calls.Count);
        Assert.All(calls, call => Assert.Equal(placements[call.EnvironmentId], call.Service));
        Assert.Equal(40, calls.Select(c => c.EnvironmentId).Distinct().Count());

        // No service over capacity; the configured ones filled before the grown one took any.
        var counts = await process.Catalog.CountPlacementsAsync(Ct);
        Assert.All(counts, c => Assert.InRange(c.Value, 1, capacities[c.Key]));
        Assert.Equal(15, counts["srch-a"]);
        Assert.Equal(15, counts["srch-b"]);
        Assert.Equal(10, counts["grown-01"]);

        // At most 12 create-index calls per service in any minute, and the queue really was used (15 on srch-a took two minutes).
        foreach (var service in calls.GroupBy(c => c.Service))
        {
            AssertNoMinuteHoldsMoreThan([.. service.Select(c => c.At)], 12);
        }

        Assert.True(calls.Where(c => c.Service == "srch-a").Max(c => c.At) >= T0.AddMinutes(1));
    }

    [Fact]
    public async Task Sixteen_concurrent_signups_on_one_service_from_two_instances_are_all_placed_and_counted_exactly()
    {
        var first = Start(Service("srch-a", 40));
        await SeedProjectAsync(first);
        var second = Start(Service("srch-a", 40));
        Process[] instances = [first, second];

        var signups = Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            Task.Run(() => instances[i % 2].Environments.CreateAsync($"burst-{i:D2}", null, null, Ct), Ct)));
        await _time.RunUntilDoneAsync(signups, Ct);
        var created = await signups;

        Assert.All(created, c => Assert.Equal(EnvironmentStatus.Ready, c.Environment.Status));
        foreach (var environment in created.Select(c => c.Environment))
        {
            Assert.Equal("srch-a", await first.Catalog.GetPlacementAsync(environment.Id, Ct));
        }

        Assert.Equal(16, (await first.Catalog.CountPlacementsAsync(Ct))["srch-a"]);
        Assert.Equal(16, _remote.CreateCalls.Select(c => c.EnvironmentId).Distinct().Count());
        Assert.Empty(_deployer.Deployed);
    }

    public static TheoryData<string, bool> CrashPoints => new()
    {
        { "default folder", false },
        { "placed", false },
        { "index created", false },
        { "first key", false },
        { "ready", false },
        { "placed", true },
        { "index created", true },
        { "first key", true },
    };

    [Theory]
    [MemberData(nameof(CrashPoints))]
    public async Task A_create_cut_short_at_any_step_is_completed_by_retrying_it_after_a_restart(string step, bool asFailure)
    {
        var first = Start(Service("srch-a", 2));
        await SeedProjectAsync(first);
        _crash.Arm(step, asFailure);

        await Assert.ThrowsAnyAsync<Exception>(() => first.Environments.CreateAsync("crashy", null, null, Ct));
        var restarted = Start(Service("srch-a", 2));
        var created = await restarted.Environments.CreateAsync("crashy", null, null, Ct);

        var environment = Assert.Single(await restarted.Catalog.ListEnvironmentsAsync(Ct));
        Assert.Equal(created.Environment.Id, environment.Id);
        Assert.Equal(EnvironmentStatus.Ready, environment.Status);
        Assert.Equal("srch-a", await restarted.Catalog.GetPlacementAsync(environment.Id, Ct));
        Assert.Equal(1, (await restarted.Catalog.CountPlacementsAsync(Ct)).Values.Sum());
        Assert.Equal([("srch-a", environment.Id)], _remote.Indexes);
        Assert.Single(_remote.CreateCalls);
        Assert.Single(await restarted.Catalog.ListFoldersAsync(environment.Id, Ct), f => f.IsDefault);
        var key = Assert.Single(await restarted.Catalog.ListKeysAsync(environment.Id, Ct));
        Assert.Equal(created.FirstKey.Info.Id, key.Info.Id);
        Assert.Equal(environment.Id, (await restarted.Verifier.VerifyAsync(created.FirstKey.PlaintextKey, Ct))?.Environment?.Environment.Id);
    }

    [Fact]
    public async Task Deleting_an_environment_removes_its_index_and_frees_its_slot_even_when_cut_short()
    {
        var first = Start(Service("srch-a", 1));
        await SeedProjectAsync(first);
        var created = await first.Environments.CreateAsync("doomed", null, null, Ct);
        _crash.Arm("index deleted", asFailure: false);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first.Environments.DeleteAsync(created.Environment.Id, Ct));
        var restarted = Start(Service("srch-a", 1));
        await restarted.Environments.DeleteAsync(created.Environment.Id, Ct);
        var next = await restarted.Environments.CreateAsync("next", null, null, Ct);

        Assert.Null(await restarted.Catalog.GetEnvironmentAsync(created.Environment.Id, Ct));
        Assert.Equal([("srch-a", next.Environment.Id)], _remote.Indexes);
        Assert.Equal(new Dictionary<string, int> { ["srch-a"] = 1 }, await restarted.Catalog.CountPlacementsAsync(Ct));
        Assert.Empty(_deployer.Deployed);
    }

    private static void AssertNoMinuteHoldsMoreThan(IReadOnlyList<DateTimeOffset> times, int limit)
    {
        var sorted = times.Order().ToList();
        for (var i = 0; i < sorted.Count; i++)
        {
            var inWindow = sorted.Skip(i).TakeWhile(t => t - sorted[i] < TimeSpan.FromMinutes(1)).Count();
            Assert.True(inWindow <= limit, $"{inWindow} create-index calls in the minute from {sorted[i]:O}; the limit is {limit}.");
        }
    }

    private sealed class Process : IDisposable
    {
        public Process(string dataDirectory, AzureTableCatalog catalog, TimeProvider time, SimulatedSearchServices remote, ISearchServiceDeployer deployer, CrashSwitch crash, SearchPoolOptions pool)
        {
            var embedded = Options.Create(new EmbeddedOptions { DataDirectory = dataDirectory });
            Catalog = catalog;
            var tenancy = new CrashingTenancyCatalog(Catalog, crash);
            var keyStore = new CrashingKeyStore(new SqliteApiKeyStore(embedded), crash);
            Verifier = new ApiKeyVerifier(keyStore, Catalog, tenancy, Options.Create(new KeyVerificationOptions()), time, NullLogger<ApiKeyVerifier>.Instance);
            var keys = new ApiKeyService(keyStore, Catalog, tenancy, Verifier, time, NullLogger<ApiKeyService>.Instance);
            Pool = new SearchServicePool(Catalog, [deployer], Options.Create(pool), time, NullLogger<SearchServicePool>.Instance);
            IEnvironmentResources[] resources =
            [
                new EnvironmentUploads(new FileSystemBlobStore(embedded)),
                // Never slow: these creates grow the pool inside the call (the resumable path); BackgroundProvisioningTests
                // covers handing growth to the background.
                new EnvironmentSearchIndex(new SimulatedAzureSearchIndex(Pool, remote, time, crash, reportsSlowCreates: false), new FixedEmbeddingModel()),
            ];
            Environments = new EnvironmentService(tenancy, Catalog, keys, Verifier, resources, new RecordingProvisioningQueue(), time, NullLogger<EnvironmentService>.Instance);
        }

        public AzureTableCatalog Catalog { get; }

        public ApiKeyVerifier Verifier { get; }

        public SearchServicePool Pool { get; }

        public EnvironmentService Environments { get; }

        public void Dispose()
        {
            Pool.Dispose();
            Verifier.Dispose();
        }
    }
}
