using Azure.Data.Tables;

namespace Memic.Azure.Internals;

/// <summary>
/// The catalog's two tables, created on first use. <see cref="Tenancy"/> holds what belongs to no single environment
/// in fixed partitions; <see cref="EnvironmentData"/> holds everything of one environment in that environment's partition.
/// </summary>
internal sealed class CatalogTables(TableServiceClient service, string prefix)
{
    /// <summary>The service's limit on actions in one transaction.</summary>
    public const int MaxTransactionActions = 100;

    private readonly Lock _lock = new();
    private Task? _creation;

    public TableClient Tenancy { get; } = service.GetTableClient(prefix + "Tenancy");

    public TableClient EnvironmentData { get; } = service.GetTableClient(prefix + "EnvironmentData");

    /// <summary>Creates both tables once per process; a failed attempt is retried by the next caller.</summary>
    public Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        Task creation;
        lock (_lock)
        {
            if (_creation is null || _creation.IsFaulted || _creation.IsCanceled)
            {
                // Not tied to one caller's token: it is shared by every caller that arrives meanwhile.
                _creation = CreateAsync();
            }

            creation = _creation;
        }

        return creation.WaitAsync(cancellationToken);
    }

    private async Task CreateAsync()
    {
        await Tenancy.CreateIfNotExistsAsync();
        await EnvironmentData.CreateIfNotExistsAsync();
    }
}
