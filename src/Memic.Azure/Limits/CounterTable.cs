using Azure;
using Azure.Data.Tables;
using Memic.Azure.Internals;
using Microsoft.Extensions.Logging;

namespace Memic.Azure.Limits;

/// <summary>A row holding one shared count: the stored column keeps its own name, the counter reads it as <see cref="Count"/>.</summary>
internal interface ICounterEntity : ITableEntity
{
    long Count { get; set; }
}

/// <summary>
/// A table of shared counts, one row per key and period, each changed by compare-and-set on its ETag so concurrent
/// instances never apply their changes over one another. The table is created on first use (again after a failed
/// attempt); whoever opens a new period removes an old period's row, best effort.
/// </summary>
internal sealed partial class CounterTable<TEntity>(TableClient table, string counted, ILogger logger)
    where TEntity : class, ICounterEntity, new()
{
    private readonly Lock _lock = new();
    private Task? _creation;

    public async Task<long> ReadAsync(string partition, string row, CancellationToken cancellationToken)
    {
        await EnsureCreatedAsync(cancellationToken);
        var stored = await table.FindAsync<TEntity>(partition, row, cancellationToken);
        return stored?.Count ?? 0;
    }

    /// <summary>
    /// Applies the change <paramref name="changeOf"/> computes from the stored count (0: nothing is written), re-reading
    /// after every lost race. Opening the row also removes <paramref name="expiredRow"/>.
    /// </summary>
    public async Task<(long Change, long Total)> ChangeAsync(
        string partition, string row, string expiredRow, Func<long, long> changeOf, CancellationToken cancellationToken)
    {
        await EnsureCreatedAsync(cancellationToken);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var stored = await table.FindAsync<TEntity>(partition, row, cancellationToken);
                var count = stored?.Count ?? 0;
                var change = changeOf(count);
                if (change == 0)
                {
                    return (0, count);
                }

                if (stored is null)
                {
                    await table.AddEntityAsync(new TEntity { PartitionKey = partition, RowKey = row, Count = change }, cancellationToken);
                    _ = ForgetAsync(partition, expiredRow);
                }
                else
                {
                    stored.Count = count + change;
                    await table.UpdateEntityAsync(stored, stored.ETag, TableUpdateMode.Replace, cancellationToken);
                }

                return (change, count + change);
            }
            catch (RequestFailedException ex) when (Optimistic.LostRace(ex) && attempt < Optimistic.MaxAttempts)
            {
                await Optimistic.PauseAsync(attempt, cancellationToken);
            }
            catch (RequestFailedException ex) when (Optimistic.LostRace(ex))
            {
                throw Optimistic.GaveUp($"A shared {counted} counter");
            }
        }
    }

    private Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        Task creation;
        lock (_lock)
        {
            if (_creation is null || _creation.IsFaulted || _creation.IsCanceled)
            {
                creation = _creation = table.CreateIfNotExistsAsync(CancellationToken.None);
            }
            else
            {
                creation = _creation;
            }
        }

        return creation.WaitAsync(cancellationToken);
    }

    /// <summary>Removes an old period's row; a failure is logged and left, as an old row is harmless and the next period tries again.</summary>
    private async Task ForgetAsync(string partition, string row)
    {
        try
        {
            await table.DeleteEntityAsync(partition, row, ETag.All, CancellationToken.None);
        }
        catch (Exception ex) when (ex is RequestFailedException or OperationCanceledException)
        {
            LogForgetFailed(logger, ex, table.Name, row);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not remove the old row {RowKey} of table {Table}")]
    private static partial void LogForgetFailed(ILogger logger, Exception exception, string table, string rowKey);
}
