using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using Memic.Azure.Internals;
using Memic.Core.Errors;
using Memic.Core.Ports;
using static Memic.Azure.Internals.TableKeys;
using Memic.Azure.Search.Pool;

namespace Memic.Azure.Catalog;

/// <summary>
/// Search placements. The environment row's <c>SearchService</c> and its service's slot counter live in the same
/// partition (<c>environment</c>), so a placement or a release writes both in one transaction, each guarded by the ETag
/// it was read with: a concurrent placement on the same service, or of the same environment, makes it fail and re-read.
/// A crash leaves both written or neither, so a slot is never lost nor counted twice.
/// <para>
/// Every placement on a service writes its counter, so concurrent placements on one service would mostly lose the race
/// and retry. Instead each instance queues its placements per service and commits those waiting together, up to 99 in
/// one transaction: one writer per service per instance, and a burst of signups costs a few round trips, not a few each.
/// </para>
/// </summary>
public sealed partial class AzureTableCatalog : ISearchPlacementCatalog
{
    private const string SearchServicePartition = "searchservice";
    private const string SearchServices = "searchservice";
    private const string SearchSlots = "searchslots";
    private const string SearchServiceProperty = nameof(EnvironmentEntity.SearchService);

    /// <summary>A transaction holds at most 100 actions: the environments' rows and the service's counter.</summary>
    private const int MaxPlacementsPerTransaction = 99;

    private readonly ConcurrentDictionary<string, PlacementQueue> _placementQueues = new(StringComparer.Ordinal);

    public async Task AddSearchServiceAsync(PooledSearchService service, CancellationToken cancellationToken)
    {
        var entity = new SearchServiceEntity
        {
            PartitionKey = SearchServicePartition,
            RowKey = $"{SearchServices}|{Segment(service.Name)}",
            Name = service.Name,
            Endpoint = service.Endpoint.AbsoluteUri,
            IndexCapacity = service.IndexCapacity,
            SearchUnits = service.SearchUnits,
            AddedAt = service.AddedAt,
        };
        try
        {
            await (await TenancyAsync(cancellationToken)).AddEntityAsync(entity, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // Recorded already (by a retry, or by another instance that grew the pool at the same time): the first record stays.
        }
    }

    public async Task<IReadOnlyList<PooledSearchService>> ListSearchServicesAsync(CancellationToken cancellationToken)
    {
        var services = await (await TenancyAsync(cancellationToken)).ListKindAsync<SearchServiceEntity>(SearchServicePartition, SearchServices, cancellationToken);
        return
        [
            .. services
                .Select(s => new PooledSearchService(s.Name, new Uri(s.Endpoint, UriKind.Absolute), s.IndexCapacity, s.SearchUnits, s.AddedAt))
                .OrderBy(s => s.AddedAt).ThenBy(s => s.Name, StringComparer.Ordinal),
        ];
    }

    public async Task<IReadOnlyDictionary<string, int>> CountPlacementsAsync(CancellationToken cancellationToken)
    {
        var slots = await (await TenancyAsync(cancellationToken)).ListKindAsync<SearchSlotsEntity>(EnvironmentPartition, SearchSlots, cancellationToken);
        return slots.ToDictionary(s => s.Service, s => s.Placed, StringComparer.Ordinal);
    }

    public async Task<string?> GetPlacementAsync(Guid environmentId, CancellationToken cancellationToken)
    {
        var row = await (await TenancyAsync(cancellationToken)).FindAsync<TableEntity>(
            EnvironmentPartition, Environment(environmentId), [SearchServiceProperty], cancellationToken);
        return row?.GetString(SearchServiceProperty);
    }

    public async Task<string?> TryPlaceAsync(Guid environmentId, string serviceName, int indexCapacity, CancellationToken cancellationToken)
    {
        var queue = _placementQueues.GetOrAdd(serviceName, _ => new PlacementQueue());
        var request = new PlacementRequest(environmentId, indexCapacity);
        bool drain;
        lock (queue.Lock)
        {
            queue.Waiting.Add(request);
            drain = !queue.Draining;
            queue.Draining = true;
        }

        if (drain)
        {
            // Not tied to this caller's token: the placements queued behind it are committed by the same drain.
            _ = Task.Run(() => DrainPlacementsAsync(serviceName, queue), CancellationToken.None);
        }

        // A caller that gives up may still be placed by the drain; a retry then finds the placement.
        return await request.Result.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Commits the service's queued placements, a transaction at a time, until none are left.</summary>
    private async Task DrainPlacementsAsync(string serviceName, PlacementQueue queue)
    {
        while (true)
        {
            List<PlacementRequest> batch;
            lock (queue.Lock)
            {
                if (queue.Waiting.Count == 0)
                {
                    queue.Draining = false;
                    return;
                }

                batch = [.. queue.Waiting.Take(MaxPlacementsPerTransaction)];
                queue.Waiting.RemoveRange(0, batch.Count);
            }

            try
            {
                await PlaceBatchAsync(serviceName, batch);
            }
            catch (Exception ex)
            {
                foreach (var request in batch)
                {
                    request.Result.TrySetException(ex);
                }
            }
        }
    }

    /// <summary>
    /// Places a batch of environments on one service in one transaction: their rows and the service's slot counter, each
    /// guarded by the ETag it was read with. Environments that are placed already keep their place; those beyond the
    /// service's room get null. A lost race (another instance placing on the service, or an environment changing)
    /// re-reads and tries again.
    /// </summary>
    private async Task PlaceBatchAsync(string serviceName, List<PlacementRequest> batch)
    {
        var tenancy = await TenancyAsync(CancellationToken.None);
        var pending = batch.GroupBy(r => r.EnvironmentId).ToDictionary(g => g.Key, g => g.ToList());
        var indexCapacity = batch.Min(r => r.IndexCapacity);
        for (var attempt = 1; attempt <= Optimistic.MaxAttempts; attempt++)
        {
            // Whole rows, as stored: each is written back with one property changed, whatever else it holds.
            var ids = pending.Keys.ToList();
            var rows = await Task.WhenAll(ids.Select(id => tenancy.FindAsync<TableEntity>(EnvironmentPartition, Environment(id), CancellationToken.None)));
            var unplaced = new List<(Guid Id, TableEntity Row)>();
            for (var i = 0; i < ids.Count; i++)
            {
                if (rows[i] is null)
                {
                    Complete(pending, ids[i], NotFoundException.Resource("Environment", ids[i]));
                }
                else if (rows[i]!.GetString(SearchServiceProperty) is { } placed)
                {
                    Complete(pending, ids[i], placed);
                }
                else
                {
                    unplaced.Add((ids[i], rows[i]!));
                }
            }

            var slots = await tenancy.FindAsync<SearchSlotsEntity>(EnvironmentPartition, SlotsRow(serviceName), CancellationToken.None);
            var room = Math.Max(0, indexCapacity - (slots?.Placed ?? 0));
            foreach (var (id, _) in unplaced.Skip(room))
            {
                Complete(pending, id, (string?)null);
            }

            var placing = unplaced.Take(room).ToList();
            if (placing.Count == 0)
            {
                return;
            }

            var placedAfter = (slots?.Placed ?? 0) + placing.Count;
            List<TableTransactionAction> actions =
            [
                .. placing.Select(p =>
                {
                    var environment = p.Row;
                    environment[SearchServiceProperty] = serviceName;
                    return new TableTransactionAction(TableTransactionActionType.UpdateReplace, environment, environment.ETag);
                }),
                slots is null
                    ? new(TableTransactionActionType.Add, new SearchSlotsEntity { PartitionKey = EnvironmentPartition, RowKey = SlotsRow(serviceName), Service = serviceName, Placed = placedAfter })
                    : new(TableTransactionActionType.UpdateReplace, WithPlaced(slots, placedAfter), slots.ETag),
            ];
            if (await TrySubmitAsync(tenancy, actions, attempt, CancellationToken.None))
            {
                foreach (var id in pending.Keys.ToList())
                {
                    Complete(pending, id, serviceName);
                }

                return;
            }
        }

        throw Optimistic.GaveUp("The search service's placements");
    }

    private static void Complete(Dictionary<Guid, List<PlacementRequest>> pending, Guid environmentId, string? placed)
    {
        if (pending.Remove(environmentId, out var requests))
        {
            requests.ForEach(r => r.Result.TrySetResult(placed));
        }
    }

    private static void Complete(Dictionary<Guid, List<PlacementRequest>> pending, Guid environmentId, Exception failure)
    {
        if (pending.Remove(environmentId, out var requests))
        {
            requests.ForEach(r => r.Result.TrySetException(failure));
        }
    }

    public async Task ReleasePlacementAsync(Guid environmentId, CancellationToken cancellationToken)
    {
        var tenancy = await TenancyAsync(cancellationToken);
        for (var attempt = 1; attempt <= Optimistic.MaxAttempts; attempt++)
        {
            var environment = await tenancy.FindAsync<TableEntity>(EnvironmentPartition, Environment(environmentId), cancellationToken);
            if (environment?.GetString(SearchServiceProperty) is not { } placed)
            {
                return;
            }

            // Null clears nothing in a merge, so the row is replaced without the property.
            environment.Remove(SearchServiceProperty);
            List<TableTransactionAction> actions = [new(TableTransactionActionType.UpdateReplace, environment, environment.ETag)];
            if (await tenancy.FindAsync<SearchSlotsEntity>(EnvironmentPartition, SlotsRow(placed), cancellationToken) is { } slots)
            {
                actions.Add(new(TableTransactionActionType.UpdateReplace, WithPlaced(slots, Math.Max(0, slots.Placed - 1)), slots.ETag));
            }

            if (await TrySubmitAsync(tenancy, actions, attempt, cancellationToken))
            {
                return;
            }
        }

        throw Optimistic.GaveUp("The search service's placements");
    }

    private static string SlotsRow(string serviceName) => $"{SearchSlots}|{Segment(serviceName)}";

    private sealed class PlacementQueue
    {
        public Lock Lock { get; } = new();

        public List<PlacementRequest> Waiting { get; } = [];

        public bool Draining { get; set; }
    }

    private sealed class PlacementRequest(Guid environmentId, int indexCapacity)
    {
        public Guid EnvironmentId { get; } = environmentId;

        public int IndexCapacity { get; } = indexCapacity;

        public TaskCompletionSource<string?> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private static SearchSlotsEntity WithPlaced(SearchSlotsEntity slots, int placed) =>
        new() { PartitionKey = slots.PartitionKey, RowKey = slots.RowKey, Service = slots.Service, Placed = placed };

    /// <summary>False when another writer changed a row since it was read (after a short pause, so the caller re-reads).</summary>
    private static async Task<bool> TrySubmitAsync(TableClient table, IReadOnlyList<TableTransactionAction> actions, int attempt, CancellationToken cancellationToken)
    {
        try
        {
            await table.SubmitAsync(actions, cancellationToken);
            return true;
        }
        catch (TableTransactionFailedException ex) when (Optimistic.LostRace(ex))
        {
            await Optimistic.PauseAsync(attempt, cancellationToken);
            return false;
        }
    }
}
