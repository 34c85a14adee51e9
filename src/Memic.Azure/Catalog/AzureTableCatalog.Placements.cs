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
/// </summary>
public sealed partial class AzureTableCatalog : ISearchPlacementCatalog
{
    private const string SearchServicePartition = "searchservice";
    private const string SearchServices = "searchservice";
    private const string SearchSlots = "searchslots";
    private const string SearchServiceProperty = nameof(EnvironmentEntity.SearchService);

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
        var tenancy = await TenancyAsync(cancellationToken);
        for (var attempt = 1; attempt <= Optimistic.MaxAttempts; attempt++)
        {
            // The whole row, as stored: it is written back with one property changed, whatever else it holds.
            var environment = await tenancy.FindAsync<TableEntity>(EnvironmentPartition, Environment(environmentId), cancellationToken)
                              ?? throw NotFoundException.Resource("Environment", environmentId);
            if (environment.GetString(SearchServiceProperty) is { } placed)
            {
                return placed;
            }

            var slots = await tenancy.FindAsync<SearchSlotsEntity>(EnvironmentPartition, SlotsRow(serviceName), cancellationToken);
            if ((slots?.Placed ?? 0) >= indexCapacity)
            {
                return null;
            }

            environment[SearchServiceProperty] = serviceName;
            TableTransactionAction count = slots is null
                ? new(TableTransactionActionType.Add, new SearchSlotsEntity { PartitionKey = EnvironmentPartition, RowKey = SlotsRow(serviceName), Service = serviceName, Placed = 1 })
                : new(TableTransactionActionType.UpdateReplace, WithPlaced(slots, slots.Placed + 1), slots.ETag);
            if (await TrySubmitAsync(tenancy, [new(TableTransactionActionType.UpdateReplace, environment, environment.ETag), count], attempt, cancellationToken))
            {
                return serviceName;
            }
        }

        throw Optimistic.GaveUp("The search service's placements");
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
