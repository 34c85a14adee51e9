using Azure;
using Azure.Data.Tables;
using Memic.Core.Errors;

namespace Memic.Azure.Internals;

/// <summary>Reads and writes shared by the catalog's parts.</summary>
internal static class TableClientExtensions
{
    /// <summary>Entities per response page; the service's maximum, so large scans take as few round trips as they can.</summary>
    private const int PageSize = 1000;

    public static Task<T?> FindAsync<T>(this TableClient table, string partitionKey, string rowKey, CancellationToken cancellationToken)
        where T : class, ITableEntity =>
        table.FindAsync<T>(partitionKey, rowKey, null, cancellationToken);

    /// <param name="select">The columns to read; null for all.</param>
    public static async Task<T?> FindAsync<T>(this TableClient table, string partitionKey, string rowKey, IEnumerable<string>? select, CancellationToken cancellationToken)
        where T : class, ITableEntity
    {
        var response = await table.GetEntityIfExistsAsync<T>(partitionKey, rowKey, select, cancellationToken);
        return response.HasValue ? response.Value : null;
    }

    public static Task<List<T>> ListAsync<T>(this TableClient table, string filter, CancellationToken cancellationToken)
        where T : class, ITableEntity =>
        table.ListAsync<T>(filter, null, cancellationToken);

    /// <param name="select">The columns to read; null for all.</param>
    public static async Task<List<T>> ListAsync<T>(this TableClient table, string filter, IEnumerable<string>? select, CancellationToken cancellationToken)
        where T : class, ITableEntity
    {
        var entities = new List<T>();
        await foreach (var entity in table.QueryAsync<T>(filter, PageSize, select, cancellationToken))
        {
            entities.Add(entity);
        }

        return entities;
    }

    /// <summary>Every row of <paramref name="kind"/> (see <see cref="TableKeys.Range"/>) in one partition.</summary>
    public static Task<List<T>> ListKindAsync<T>(this TableClient table, string partitionKey, string kind, CancellationToken cancellationToken)
        where T : class, ITableEntity =>
        table.ListKindAsync<T>(partitionKey, kind, null, cancellationToken);

    /// <summary>Every row of <paramref name="kind"/> (see <see cref="TableKeys.Range"/>) in one partition, with only the <paramref name="select"/>ed columns.</summary>
    public static Task<List<T>> ListKindAsync<T>(this TableClient table, string partitionKey, string kind, IEnumerable<string>? select, CancellationToken cancellationToken)
        where T : class, ITableEntity
    {
        var (from, below) = TableKeys.Range(kind);
        return table.ListAsync<T>(
            TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey} and RowKey ge {from} and RowKey lt {below}"),
            select, cancellationToken);
    }

    /// <summary>
    /// Deletes the rows in transactions of at most 100 within a partition. A row deleted meanwhile fails its whole
    /// transaction, so that batch is retried row by row, where a missing row is simply skipped.
    /// </summary>
    public static async Task DeleteAllAsync(this TableClient table, IEnumerable<ITableEntity> entities, CancellationToken cancellationToken)
    {
        foreach (var partition in entities.GroupBy(e => e.PartitionKey, StringComparer.Ordinal))
        {
            foreach (var batch in partition.Chunk(CatalogTables.MaxTransactionActions))
            {
                try
                {
                    await table.SubmitAsync([.. batch.Select(e => new TableTransactionAction(TableTransactionActionType.Delete, e, ETag.All))], cancellationToken);
                }
                catch (TableTransactionFailedException ex) when (ex.Status == 404)
                {
                    foreach (var entity in batch)
                    {
                        await table.DeleteEntityAsync(entity.PartitionKey, entity.RowKey, ETag.All, cancellationToken);
                    }
                }
            }
        }
    }

    /// <summary>
    /// Runs the actions as one transaction. The batch itself succeeds even when an action fails, so a busy or failing
    /// service shows only in the failed action's status, which the pipeline policy never sees: it is translated here.
    /// </summary>
    public static async Task SubmitAsync(this TableClient table, IReadOnlyList<TableTransactionAction> actions, CancellationToken cancellationToken)
    {
        try
        {
            await table.SubmitTransactionAsync(actions, cancellationToken);
        }
        catch (TableTransactionFailedException ex) when (TransientStatus.Is(ex.Status))
        {
            throw new TransientException($"Azure Table Storage answered {ex.Status} to a transaction; retry later.", ex);
        }
    }

    /// <summary>Sets a few properties of an existing row, leaving the others; false when the row does not exist.</summary>
    public static async Task<bool> MergeAsync(this TableClient table, string partitionKey, string rowKey, IDictionary<string, object?> values, CancellationToken cancellationToken)
    {
        var entity = new TableEntity(partitionKey, rowKey);
        foreach (var (name, value) in values)
        {
            entity[name] = value;
        }

        try
        {
            await table.UpdateEntityAsync(entity, ETag.All, TableUpdateMode.Merge, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return false;
        }
    }
}
