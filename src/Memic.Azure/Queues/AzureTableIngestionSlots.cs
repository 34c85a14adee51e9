using Azure;
using Azure.Data.Tables;
using Memic.Azure.Catalog;
using Memic.Azure.Internals;
using Memic.Core.Ports;
using Microsoft.Extensions.Options;

namespace Memic.Azure.Queues;

/// <summary>
/// Ingestion slots as rows of <c>&lt;prefix&gt;IngestionSlots</c>: partition = environment id, one row per slot
/// (<c>slot-0</c> … <c>slot-(cap-1)</c>) naming its file and when it expires. A slot is taken by inserting its row, or by
/// replacing an expired row (or the same file's) under its ETag, so of two instances racing for one slot only one wins;
/// it is given back by deleting the row under the ETag it was taken with.
/// </summary>
public sealed class AzureTableIngestionSlots : IIngestionSlots
{
    private readonly TableClient _table;
    private readonly IngestionSlotOptions _options;
    private readonly TimeProvider _time;
    private readonly Lazy<Task> _created;

    /// <param name="service">The catalog's account (<see cref="AzureTableOptions"/>), registered through Microsoft.Extensions.Azure.</param>
    public AzureTableIngestionSlots(TableServiceClient service, IOptions<AzureTableOptions> tables, IOptions<IngestionSlotOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(service);
        _table = service.GetTableClient(tables.Value.TablePrefix + "IngestionSlots");
        _options = options.Value;
        _time = time;
        _created = new(() => _table.CreateIfNotExistsAsync());
    }

    public async Task<IngestionSlot?> TryAcquireAsync(Guid environmentId, Guid fileId, CancellationToken cancellationToken)
    {
        await _created.Value.WaitAsync(cancellationToken);
        var partition = environmentId.ToString("D");
        var now = _time.GetUtcNow();
        var held = await _table.ListAsync<SlotEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}"), cancellationToken);
        for (var index = 0; index < Math.Max(1, _options.MaxConcurrentPerEnvironment); index++)
        {
            var row = held.Find(s => s.RowKey == RowKey(index));
            var slot = new SlotEntity { PartitionKey = partition, RowKey = RowKey(index), FileId = fileId, ExpiresAt = now + _options.SlotLease };
            try
            {
                if (row is null)
                {
                    var added = await _table.AddEntityAsync(slot, cancellationToken);
                    return new IngestionSlot(environmentId, fileId, index, added.Headers.ETag.ToString()!);
                }

                if (row.ExpiresAt <= now || row.FileId == fileId)
                {
                    var replaced = await _table.UpdateEntityAsync(slot, row.ETag, TableUpdateMode.Replace, cancellationToken);
                    return new IngestionSlot(environmentId, fileId, index, replaced.Headers.ETag.ToString()!);
                }
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                // Another instance took this slot between our read and write; try the next one.
            }
        }

        return null;
    }

    public async Task ReleaseAsync(IngestionSlot slot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(slot);
        try
        {
            await _table.DeleteEntityAsync(slot.EnvironmentId.ToString("D"), RowKey(slot.Index), new ETag(slot.Version), cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            // Expired and taken over (or already gone): the slot is no longer ours to release.
        }
    }

    private static string RowKey(int index) => $"slot-{index}";

    private sealed class SlotEntity : ITableEntity
    {
        public string PartitionKey { get; set; } = "";

        public string RowKey { get; set; } = "";

        public DateTimeOffset? Timestamp { get; set; }

        public ETag ETag { get; set; }

        public Guid FileId { get; set; }

        public DateTimeOffset ExpiresAt { get; set; }
    }
}
