using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;

namespace Memic.Azure.Limits;

/// <summary>
/// The table behind a shared counter: created once on first use (again after a failed attempt), and old rows removed
/// on a best-effort basis by whoever opens a new period.
/// </summary>
internal sealed partial class CounterTable(TableClient table, ILogger logger)
{
    private readonly Lock _lock = new();
    private Task? _creation;

    public TableClient Client => table;

    public Task EnsureCreatedAsync(CancellationToken cancellationToken)
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
    public async Task ForgetAsync(string partition, string row)
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
