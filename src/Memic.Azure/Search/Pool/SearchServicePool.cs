using System.Collections.Concurrent;
using System.Globalization;
using Memic.Core.Errors;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Memic.Azure.Search.Pool;

/// <summary>
/// Places environments' indexes on a pool of Azure AI Search services (each caps its indexes, DESIGN.md): the services
/// in <c>Memic:Search:Services</c>, then those deployed at run time, in that order. The catalog holds every placement, so
/// any number of instances share the pool; this class only caches what cannot change (where a placed environment is).
/// <list type="bullet">
/// <item>Fill policy: the first service with room, in pool order. Earlier services fill completely before later ones take
/// any, so only one service is ever partly empty, the pool grows only once every service is truly full, and a freed slot
/// is reused before fresh capacity.</item>
/// <item>Growth: when every service is full, one more is deployed through <see cref="ISearchServiceDeployer"/> and recorded
/// in the catalog. One growth at a time per process; placements arriving meanwhile wait for it. Two processes growing at
/// once pick the same next name, and deploying a name twice yields the same service.</item>
/// <item>Create-index budget: 12 calls per minute per search unit per service, queued in process.</item>
/// </list>
/// </summary>
public sealed class SearchServicePool : ISearchServiceLocator, IDisposable
{
    /// <summary>Azure AI Search accepts this many create-index calls per minute per search unit.</summary>
    public const int CreateIndexCallsPerUnit = 12;

    public static readonly TimeSpan CreateIndexWindow = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long a first attempt trusts the counts it read: counting is a range read over every service's counter, and
    /// a burst of signups would otherwise read them once each. A stale count costs nothing wrong: a service counted
    /// with room that has filled refuses the placement, and before growing the pool is counted afresh.
    /// </summary>
    public static readonly TimeSpan CountsMaxAge = TimeSpan.FromSeconds(1);

    private readonly ISearchPlacementCatalog _catalog;
    private readonly ISearchServiceDeployer? _deployer;
    private readonly SearchPoolOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<SearchServicePool> _logger;
    private readonly IReadOnlyList<PoolMember> _configured;
    private readonly ConcurrentDictionary<Guid, SearchServiceLocation> _placements = new();
    private readonly ConcurrentDictionary<string, CreateIndexBudget> _budgets = new(StringComparer.Ordinal);
    private readonly Lock _growthLock = new();
    private Task? _growth;
    private IReadOnlyList<PoolMember>? _grown;
    private CountsRead? _counts;

    public SearchServicePool(
        ISearchPlacementCatalog catalog,
        IEnumerable<ISearchServiceDeployer> deployers,
        IOptions<SearchPoolOptions> options,
        TimeProvider time,
        ILogger<SearchServicePool> logger)
    {
        _catalog = catalog;
        _deployer = deployers.FirstOrDefault();
        _options = options.Value;
        _time = time;
        _logger = logger;
        _configured = [.. _options.Services.Select(s => new PoolMember(new SearchServiceLocation(s.EffectiveName, s.Endpoint!), s.IndexCapacity, s.SearchUnits))];
    }

    public async Task<SearchServiceLocation> PlaceAsync(Guid environmentId, CancellationToken cancellationToken)
    {
        if (_placements.TryGetValue(environmentId, out var known))
        {
            return known;
        }

        for (var round = 0; ; round++)
        {
            var members = await MembersAsync(refresh: round > 0, cancellationToken);
            if (await _catalog.GetPlacementAsync(environmentId, cancellationToken) is { } placed)
            {
                return Remember(environmentId, await ResolveAsync(placed, cancellationToken));
            }

            var counts = await CountsAsync(refresh: round > 0, cancellationToken);
            foreach (var member in members.Where(m => counts.GetValueOrDefault(m.Location.Name) < m.IndexCapacity))
            {
                // Null: the service filled up since it was counted; the next one may still have room.
                if (await _catalog.TryPlaceAsync(environmentId, member.Location.Name, member.IndexCapacity, cancellationToken) is { } on)
                {
                    _logger.LogInformation("Placed environment {EnvironmentId} on search service {SearchService}", environmentId, on);
                    return Remember(environmentId, await ResolveAsync(on, cancellationToken));
                }
            }

            await GrowAsync(members.Count, cancellationToken);
        }
    }

    public async Task<bool> NeedsGrowthAsync(Guid environmentId, CancellationToken cancellationToken)
    {
        if (_deployer is null || _placements.ContainsKey(environmentId))
        {
            return false; // Without a deployer a full pool fails at once; a placed environment needs nothing.
        }

        if (Volatile.Read(ref _growth) is { IsCompleted: false })
        {
            return true;
        }

        if (await _catalog.GetPlacementAsync(environmentId, cancellationToken) is not null)
        {
            return false;
        }

        var members = await MembersAsync(refresh: true, cancellationToken);
        var counts = await _catalog.CountPlacementsAsync(cancellationToken);
        return members.Count < _options.MaxServices && members.All(m => counts.GetValueOrDefault(m.Location.Name) >= m.IndexCapacity);
    }

    public async Task<SearchServiceLocation?> FindAsync(Guid environmentId, CancellationToken cancellationToken)
    {
        if (_placements.TryGetValue(environmentId, out var known))
        {
            return known;
        }

        // Only positive answers are cached: an environment placed by another instance must be found at once.
        return await _catalog.GetPlacementAsync(environmentId, cancellationToken) is { } placed
            ? Remember(environmentId, await ResolveAsync(placed, cancellationToken))
            : null;
    }

    public ValueTask WaitToCreateIndexAsync(SearchServiceLocation service, CancellationToken cancellationToken) =>
        _budgets.GetOrAdd(service.Name, name => new CreateIndexBudget(CreateIndexCallsPerUnit * SearchUnitsOf(name), CreateIndexWindow, _time))
            .WaitAsync(cancellationToken);

    public async Task ReleaseAsync(Guid environmentId, CancellationToken cancellationToken)
    {
        await _catalog.ReleasePlacementAsync(environmentId, cancellationToken);
        _placements.TryRemove(environmentId, out _);
        Volatile.Write(ref _counts, null); // The freed slot is taken before fresh capacity, starting with the next placement.
        _logger.LogInformation("Released the search service place of environment {EnvironmentId}", environmentId);
    }

    public void Dispose()
    {
        foreach (var budget in _budgets.Values)
        {
            budget.Dispose();
        }
    }

    private SearchServiceLocation Remember(Guid environmentId, SearchServiceLocation location) =>
        _placements.GetOrAdd(environmentId, location);

    private async Task<IReadOnlyDictionary<string, int>> CountsAsync(bool refresh, CancellationToken cancellationToken)
    {
        if (!refresh && Volatile.Read(ref _counts) is { } cached && _time.GetElapsedTime(cached.ReadAt) < CountsMaxAge)
        {
            return cached.Counts;
        }

        var counts = await _catalog.CountPlacementsAsync(cancellationToken);
        Volatile.Write(ref _counts, new CountsRead(counts, _time.GetTimestamp()));
        return counts;
    }

    /// <summary>Configured services in settings order, then grown ones oldest first; a name in both counts as configured.</summary>
    private async Task<IReadOnlyList<PoolMember>> MembersAsync(bool refresh, CancellationToken cancellationToken)
    {
        var grown = Volatile.Read(ref _grown);
        if (grown is null || refresh)
        {
            var configuredNames = _configured.Select(m => m.Location.Name).ToHashSet(StringComparer.Ordinal);
            var recorded = await _catalog.ListSearchServicesAsync(cancellationToken);
            grown = [.. recorded
                .Where(s => !configuredNames.Contains(s.Name))
                .Select(s => new PoolMember(new SearchServiceLocation(s.Name, s.Endpoint), s.IndexCapacity, s.SearchUnits))];
            Volatile.Write(ref _grown, grown);
        }

        return [.. _configured, .. grown];
    }

    private async Task<SearchServiceLocation> ResolveAsync(string serviceName, CancellationToken cancellationToken)
    {
        var member = Find(await MembersAsync(refresh: false, cancellationToken), serviceName)
                     ?? Find(await MembersAsync(refresh: true, cancellationToken), serviceName);
        return member?.Location ?? throw new InvalidOperationException(
            $"An environment is placed on search service '{serviceName}', which is neither in Memic:Search:Services nor recorded as grown by the pool; add it back to Memic:Search:Services.");

        static PoolMember? Find(IReadOnlyList<PoolMember> members, string name) =>
            members.FirstOrDefault(m => string.Equals(m.Location.Name, name, StringComparison.Ordinal));
    }

    /// <summary>Unknown services get one unit: the smallest budget is the safe guess.</summary>
    private int SearchUnitsOf(string serviceName) =>
        _configured.Concat(Volatile.Read(ref _grown) ?? []).FirstOrDefault(m => string.Equals(m.Location.Name, serviceName, StringComparison.Ordinal))?.SearchUnits ?? 1;

    /// <summary>Grows the pool unless it changed since the caller saw it full; joins a growth already under way.</summary>
    private async Task GrowAsync(int membersSeen, CancellationToken cancellationToken)
    {
        Task growth;
        lock (_growthLock)
        {
            if (_growth is null || _growth.IsCompleted)
            {
                // Not tied to one caller's token: every placement arriving meanwhile waits for the same deployment.
                // Started on the pool so no catalog or deployer code runs under the lock.
                _growth = Task.Run(() => GrowOnceAsync(membersSeen), CancellationToken.None);
            }

            growth = _growth;
        }

        await growth.WaitAsync(cancellationToken);
    }

    private async Task GrowOnceAsync(int membersSeen)
    {
        var members = await MembersAsync(refresh: true, CancellationToken.None);
        var counts = await _catalog.CountPlacementsAsync(CancellationToken.None);
        if (members.Count > membersSeen || members.Any(m => counts.GetValueOrDefault(m.Location.Name) < m.IndexCapacity))
        {
            return; // Another growth, or a release, made room meanwhile: place again before deploying anything.
        }

        if (_deployer is null)
        {
            throw new TransientException("Every search service of the pool is full; add one to Memic:Search:Services or configure pool growth.");
        }

        if (members.Count >= _options.MaxServices)
        {
            throw new TransientException(
                $"Every search service of the pool is full and the pool holds Memic:Search:MaxServices ({_options.MaxServices}) services; raise it or add capacity.");
        }

        var name = NextServiceName(members);
        _logger.LogWarning("Every search service of the pool is full ({ServiceCount} services); deploying search service {SearchService}", members.Count, name);
        var deployed = await _deployer.DeployAsync(name, CancellationToken.None);
        await _catalog.AddSearchServiceAsync(
            new PooledSearchService(deployed.Name, deployed.Endpoint, _options.GrowthIndexCapacity, _options.GrowthSearchUnits, _time.GetUtcNow()),
            CancellationToken.None);
        await MembersAsync(refresh: true, CancellationToken.None);
        _logger.LogInformation("Search service {SearchService} at {Endpoint} joined the pool", deployed.Name, deployed.Endpoint);
    }

    /// <summary>The lowest free number after the prefix, so instances growing at once choose the same name.</summary>
    private string NextServiceName(IReadOnlyList<PoolMember> members)
    {
        var taken = members.Select(m => m.Location.Name).ToHashSet(StringComparer.Ordinal);
        for (var number = 1; ; number++)
        {
            var name = _options.GrowthNamePrefix + number.ToString("D2", CultureInfo.InvariantCulture);
            if (!taken.Contains(name))
            {
                return name;
            }
        }
    }

    private sealed record PoolMember(SearchServiceLocation Location, int IndexCapacity, int SearchUnits);

    private sealed record CountsRead(IReadOnlyDictionary<string, int> Counts, long ReadAt);
}
