using System.Collections.Concurrent;
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
/// A create that needs a new search service (minutes of ARM deployment) must not wait inside the request: it answers
/// with the environment provisioning and its first key, and the background finishes it. The key works only once the
/// environment is ready.
/// </summary>
public sealed class BackgroundProvisioningTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 9, 0, 0, TimeSpan.Zero);

    private readonly TemporaryDirectory _directory = new();
    private readonly AzureTables _tables = new();
    private readonly FakeTimeProvider _time = new(T0);
    private readonly SimulatedSearchServices _remote = new();
    private readonly BlockingDeployer _deployer = new();
    private readonly RecordingProvisioningQueue _queue = new();
    private readonly AzureTableCatalog _catalog;
    private readonly ApiKeyVerifier _verifier;
    private readonly SearchServicePool _pool;
    private readonly EnvironmentService _environments;

    public BackgroundProvisioningTests()
    {
        var embedded = Options.Create(new EmbeddedOptions { DataDirectory = _directory.Path });
        _catalog = _tables.Open();
        var keyStore = new SqliteApiKeyStore(embedded);
        _verifier = new ApiKeyVerifier(keyStore, _catalog, _catalog, Options.Create(new KeyVerificationOptions()), _time, NullLogger<ApiKeyVerifier>.Instance);
        var keys = new ApiKeyService(keyStore, _catalog, _catalog, _verifier, _time, NullLogger<ApiKeyService>.Instance);
        _pool = new SearchServicePool(_catalog, [_deployer], Options.Create(new SearchPoolOptions
        {
            Services = [new SearchServiceOptions { Name = "srch-a", Endpoint = new Uri("https://srch-a.search.windows.net/"), IndexCapacity = 1, SearchUnits = 1 }],
            GrowthIndexCapacity = 20,
            GrowthSearchUnits = 1,
            GrowthNamePrefix = "grown-",
        }), _time, NullLogger<SearchServicePool>.Instance);
        IEnvironmentResources[] resources =
        [
            new EnvironmentUploads(new FileSystemBlobStore(embedded)),
            new EnvironmentSearchIndex(new SimulatedAzureSearchIndex(_pool, _remote, _time, new CrashSwitch()), new FixedEmbeddingModel()),
        ];
        _environments = new EnvironmentService(_catalog, _catalog, keys, _verifier, resources, _queue, _time, NullLogger<EnvironmentService>.Instance);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => new(Azurite.RequireAsync());

    public async ValueTask DisposeAsync()
    {
        _pool.Dispose();
        _verifier.Dispose();
        await _tables.DisposeAsync();
        _directory.Dispose();
    }

    private async Task SeedProjectAsync()
    {
        var organization = new Organization(Guid.NewGuid(), "Acme", T0);
        await _catalog.AddOrganizationAsync(organization, isDefault: true, Ct);
        await _catalog.AddProjectAsync(new Project(Guid.NewGuid(), "Docs", organization.Id, true, T0, T0), isDefault: true, Ct);
    }

    /// <summary>Past the verifier's negative cache, so a key refused while provisioning is looked up again.</summary>
    private async Task<Caller?> VerifyFreshAsync(string key)
    {
        _time.Advance(new KeyVerificationOptions().NegativeCacheTtl + TimeSpan.FromSeconds(1));
        return await _verifier.VerifyAsync(key, Ct);
    }

    [Fact]
    public async Task A_create_with_room_in_the_pool_is_ready_in_the_call_and_queues_nothing()
    {
        await SeedProjectAsync();

        var created = await _environments.CreateAsync("first", null, null, Ct);

        Assert.True(created.IsReady);
        Assert.Empty(_queue.Enqueued);
        Assert.Empty(_deployer.Started);
        Assert.NotNull(await _verifier.VerifyAsync(created.FirstKey.PlaintextKey, Ct));
    }

    [Fact]
    public async Task A_create_that_needs_pool_growth_answers_provisioning_and_becomes_ready_in_the_background_after_the_deployment()
    {
        await SeedProjectAsync();
        await _environments.CreateAsync("first", null, null, Ct); // fills srch-a

        var created = await _environments.CreateAsync("second", null, null, Ct);

        // Answered without deploying anything, with a key bound to an environment that does not serve yet.
        Assert.False(created.IsReady);
        Assert.Equal(EnvironmentStatus.Provisioning, created.Environment.Status);
        Assert.Equal([created.Environment.Id], _queue.Enqueued);
        Assert.Empty(_deployer.Started);
        Assert.Null(await _verifier.VerifyAsync(created.FirstKey.PlaintextKey, Ct));

        // The queue's consumer runs; the deployment holds it.
        var completing = _environments.CompleteProvisioningAsync(created.Environment.Id, Ct);
        await _deployer.WaitUntilStartedAsync("grown-01", Ct);
        Assert.Equal(EnvironmentStatus.Provisioning, (await _environments.GetAsync(created.Environment.Id, Ct)).Status);
        Assert.Null(await VerifyFreshAsync(created.FirstKey.PlaintextKey));

        _deployer.Release();
        await completing;

        var environment = await _environments.GetAsync(created.Environment.Id, Ct);
        Assert.Equal(EnvironmentStatus.Ready, environment.Status);
        Assert.Equal("grown-01", await _catalog.GetPlacementAsync(created.Environment.Id, Ct));
        Assert.True(_remote.Exists("grown-01", created.Environment.Id));
        var caller = await VerifyFreshAsync(created.FirstKey.PlaintextKey);
        Assert.Equal(created.Environment.Id, caller?.Environment?.Environment.Id);
    }

    [Fact]
    public async Task Completing_twice_or_after_deletion_changes_nothing()
    {
        await SeedProjectAsync();
        await _environments.CreateAsync("first", null, null, Ct);
        var created = await _environments.CreateAsync("second", null, null, Ct);
        _deployer.Release();
        await _environments.CompleteProvisioningAsync(created.Environment.Id, Ct);

        await _environments.CompleteProvisioningAsync(created.Environment.Id, Ct);
        await _environments.CompleteProvisioningAsync(Guid.NewGuid(), Ct);

        Assert.Equal(["grown-01"], _deployer.Started);
        Assert.Equal(EnvironmentStatus.Ready, (await _environments.GetAsync(created.Environment.Id, Ct)).Status);
        Assert.NotNull(await VerifyFreshAsync(created.FirstKey.PlaintextKey));
    }

    /// <summary>An ARM deployment that takes as long as the test says.</summary>
    private sealed class BlockingDeployer : ISearchServiceDeployer
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ConcurrentQueue<string> _started = new();
        private readonly ConcurrentDictionary<string, TaskCompletionSource> _startSignals = new();

        public IReadOnlyList<string> Started => [.. _started];

        public void Release() => _released.TrySetResult();

        public Task WaitUntilStartedAsync(string serviceName, CancellationToken cancellationToken) =>
            Signal(serviceName).Task.WaitAsync(cancellationToken);

        public async Task<SearchServiceLocation> DeployAsync(string serviceName, CancellationToken cancellationToken)
        {
            _started.Enqueue(serviceName);
            Signal(serviceName).TrySetResult();
            await _released.Task.WaitAsync(cancellationToken);
            return new SearchServiceLocation(serviceName, new Uri($"https://{serviceName}.search.windows.net/"));
        }

        private TaskCompletionSource Signal(string serviceName) =>
            _startSignals.GetOrAdd(serviceName, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
    }
}

/// <summary>Records environments handed to the background; the test runs the consumer itself.</summary>
internal sealed class RecordingProvisioningQueue : IProvisioningQueue
{
    private readonly ConcurrentQueue<Guid> _enqueued = new();

    public IReadOnlyList<Guid> Enqueued => [.. _enqueued];

    public ValueTask EnqueueAsync(Guid environmentId, CancellationToken cancellationToken)
    {
        _enqueued.Enqueue(environmentId);
        return ValueTask.CompletedTask;
    }
}
