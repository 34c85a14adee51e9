using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Memic.Azure.Internals;
using Memic.Core.Errors;
using Memic.Core.Files;
using Memic.Core.Ports;
using Memic.Core.Tenancy;
using Memic.Core.Usage;
using static Memic.Azure.Internals.TableKeys;

namespace Memic.Azure.Catalog;

/// <summary>
/// Files, folders and usage, all in their environment's partition.
/// <para>
/// Listing files reads the row key, creation time and filter columns of every file of the environment, then filters, counts,
/// sorts (newest first, then by id, as SQLite does) and pages in memory, and reads only the page's rows in full. Table
/// Storage has no secondary index and no COUNT, so the total the contract asks for costs that scan whatever the key design;
/// a reverse-ticks row key would save the sort but not the scan. It costs about one round trip per 1,000 files of the
/// environment: right for thousands of files per environment, slow for hundreds of thousands, where a search-index-backed
/// listing would be the next step.
/// </para>
/// </summary>
public sealed partial class AzureTableCatalog : IFileCatalog, IFolderCatalog, IUsageCatalog
{
    private static readonly string[] ListingColumns =
        [nameof(ITableEntity.RowKey), nameof(FileEntity.CreatedAt), nameof(FileEntity.Status), nameof(FileEntity.FolderId), nameof(FileEntity.ReferenceId)];

    public async Task AddFileAsync(StoredFile file, CancellationToken cancellationToken)
    {
        var table = await EnvironmentDataAsync(cancellationToken);

        // A folder in the partition also proves the environment was not removed, as SQLite's foreign keys would.
        if (await table.FindAsync<TableEntity>(EnvironmentData(file.EnvironmentId), Folder(file.FolderId), [nameof(ITableEntity.RowKey)], cancellationToken) is null)
        {
            throw new NotFoundException(ErrorCodes.FolderNotFound, $"Folder '{file.FolderId}' was not found.");
        }

        try
        {
            await table.AddEntityAsync(file.ToEntity(), cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            throw new ConflictException(ErrorCodes.Conflict, "That file already exists.");
        }
    }

    public async Task<StoredFile?> GetFileAsync(Guid environmentId, Guid fileId, CancellationToken cancellationToken) =>
        (await (await EnvironmentDataAsync(cancellationToken)).FindAsync<FileEntity>(EnvironmentData(environmentId), File(fileId), cancellationToken))?.ToFile();

    public async Task<FilePage> ListFilesAsync(Guid environmentId, FileQuery query, CancellationToken cancellationToken)
    {
        var table = await EnvironmentDataAsync(cancellationToken);
        var partition = EnvironmentData(environmentId);
        var status = query.Status?.ToString();
        var matching = (await table.ListKindAsync<FileEntity>(partition, Files, ListingColumns, cancellationToken))
            .Where(f => (status is null || f.Status == status)
                        && (query.FolderId is null || f.FolderId == query.FolderId)
                        && (query.ReferenceId is null || string.Equals(f.ReferenceId, query.ReferenceId, StringComparison.Ordinal)))
            .ToList();
        var page = matching
            .OrderByDescending(f => f.CreatedAt)
            .ThenBy(f => f.RowKey, StringComparer.Ordinal)
            .Skip((int)Math.Min(int.MaxValue, (long)(query.Page - 1) * query.PageSize))
            .Take(query.PageSize);

        // A file removed between the scan and these reads is left out of the page rather than shown half-gone.
        var files = await Task.WhenAll(page.Select(f => table.FindAsync<FileEntity>(partition, f.RowKey, cancellationToken)));
        return new FilePage([.. files.OfType<FileEntity>().Select(f => f.ToFile())], matching.Count);
    }

    public async Task<bool> UpdateFileAsync(StoredFile file, CancellationToken cancellationToken) =>
        await ChangeFileAsync(file.EnvironmentId, file.Id, entity =>
        {
            entity.ApplyMutableFields(file);
            return true;
        }, cancellationToken);

    public async Task<bool> TransitionAsync(Guid environmentId, Guid fileId, IReadOnlyCollection<FileStatus> from, FileStatus to, DateTimeOffset at, CancellationToken cancellationToken) =>
        await ChangeFileAsync(environmentId, fileId, entity =>
        {
            if (!from.Contains(Enum.Parse<FileStatus>(entity.Status)))
            {
                return false;
            }

            entity.Status = to.ToString();
            entity.UpdatedAt = at;
            return true;
        }, cancellationToken);

    public async Task<bool> TransitionIfUnchangedAsync(
        Guid environmentId, Guid fileId, FileStatus from, DateTimeOffset lastUpdatedAt, FileStatus to, DateTimeOffset at, CancellationToken cancellationToken) =>
        await ChangeFileAsync(environmentId, fileId, entity =>
        {
            if (Enum.Parse<FileStatus>(entity.Status) != from || entity.UpdatedAt != lastUpdatedAt)
            {
                return false;
            }

            entity.Status = to.ToString();
            entity.UpdatedAt = at;
            return true;
        }, cancellationToken);

    public async Task<int?> RecordAttemptAsync(Guid environmentId, Guid fileId, CancellationToken cancellationToken)
    {
        var attempts = 0;
        var recorded = await ChangeFileAsync(environmentId, fileId, entity =>
        {
            attempts = ++entity.Attempts;
            return true;
        }, cancellationToken);
        return recorded ? attempts : null;
    }

    public async Task RemoveFileAsync(Guid environmentId, Guid fileId, CancellationToken cancellationToken) =>
        await (await EnvironmentDataAsync(cancellationToken)).DeleteEntityAsync(EnvironmentData(environmentId), File(fileId), ETag.All, cancellationToken);

    /// <summary>
    /// Scans the file rows of every environment (only four columns of each): a restarted worker calls it once, and
    /// Table Storage has no index on status to do better without a second copy of every status change.
    /// </summary>
    public async Task<IReadOnlyList<(Guid EnvironmentId, Guid FileId)>> ListUnfinishedFilesAsync(CancellationToken cancellationToken)
    {
        var (from, below) = Range(Files);
        var files = await (await EnvironmentDataAsync(cancellationToken)).ListAsync<FileEntity>(
            TableClient.CreateQueryFilter($"RowKey ge {from} and RowKey lt {below}"),
            [nameof(ITableEntity.PartitionKey), nameof(ITableEntity.RowKey), nameof(FileEntity.Status), nameof(FileEntity.UpdatedAt)],
            cancellationToken);
        return
        [
            .. files
                .Where(f => Enum.Parse<FileStatus>(f.Status).IsInPipeline())
                .OrderBy(f => f.UpdatedAt)
                .Select(f => (Guid.Parse(f.PartitionKey), IdOf(f.RowKey))),
        ];
    }

    public async Task<int> CountFilesInFolderAsync(Guid environmentId, Guid folderId, CancellationToken cancellationToken) =>
        (await ListFilesInFolderAsync(environmentId, folderId, cancellationToken)).Count;

    public async Task<IReadOnlyList<Guid>> ListFileIdsInFolderAsync(Guid environmentId, Guid folderId, CancellationToken cancellationToken) =>
        [.. (await ListFilesInFolderAsync(environmentId, folderId, cancellationToken)).Select(f => IdOf(f.RowKey))];

    public async Task<Folder?> GetFolderAsync(Guid environmentId, Guid folderId, CancellationToken cancellationToken) =>
        (await (await EnvironmentDataAsync(cancellationToken)).FindAsync<FolderEntity>(EnvironmentData(environmentId), Folder(folderId), cancellationToken))?.ToFolder();

    /// <summary>Removes the folder, its name and, as SQLite's cascade does, its files; the folder goes last so a cut-short removal can be re-run.</summary>
    public async Task RemoveFolderAsync(Guid environmentId, Guid folderId, CancellationToken cancellationToken)
    {
        var table = await EnvironmentDataAsync(cancellationToken);
        var folder = await table.FindAsync<FolderEntity>(EnvironmentData(environmentId), Folder(folderId), cancellationToken);
        if (folder is null)
        {
            return;
        }

        await table.DeleteAllAsync(await ListFilesInFolderAsync(environmentId, folderId, cancellationToken), cancellationToken);
        await table.DeleteAllAsync([new TableEntity(folder.PartitionKey, FolderName(folder.Name)), folder], cancellationToken);
    }

    /// <summary>
    /// Replaces the instance's row per environment and hour with its running totals (an upsert, so a retry stores the
    /// same number). Usage of an environment that no longer exists goes with it, as in SQLite.
    /// </summary>
    public async Task WriteUsageAsync(Guid instanceId, IReadOnlyList<UsageSlice> slices, CancellationToken cancellationToken)
    {
        var table = await EnvironmentDataAsync(cancellationToken);
        foreach (var environment in slices.GroupBy(s => s.EnvironmentId))
        {
            if (!await EnvironmentExistsAsync(environment.Key, cancellationToken))
            {
                continue;
            }

            var partition = EnvironmentData(environment.Key);
            foreach (var batch in environment.Chunk(100))
            {
                await table.SubmitAsync(
                    [.. batch.Select(slice =>
                    {
                        var entity = new UsageEntity { PartitionKey = partition, RowKey = UsageHour(slice.Hour, instanceId) };
                        entity.SetCounters(slice.Totals);
                        return new TableTransactionAction(TableTransactionActionType.UpsertReplace, entity);
                    })],
                    cancellationToken);
            }
        }
    }

    public async Task<IReadOnlyList<HourlyUsage>> GetUsageAsync(Guid environmentId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var table = await EnvironmentDataAsync(cancellationToken);
        var partition = EnvironmentData(environmentId);
        var hours = await table.ListAsync<UsageEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {UsageHourPrefix(from)} and RowKey lt {UsageHourPrefix(to)}"),
            cancellationToken);

        // Rows of whole days, written before usage was kept per hour, count as their day's first hour.
        var (firstDay, lastDay) = (DateOnly.FromDateTime(from.UtcDateTime), DateOnly.FromDateTime(to.UtcDateTime));
        var days = await table.ListAsync<UsageEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {UsageDay(firstDay)} and RowKey le {UsageDay(lastDay)}"),
            cancellationToken);

        return [.. hours.Select(h => (Hour: HourOfUsageRow(h.RowKey), Counters: h.ToCounters()))
            .Concat(days.Select(d => (Hour: DayOfUsageRow(d.RowKey), Counters: d.ToCounters())))
            .Where(u => u.Hour >= from && u.Hour < to)
            .GroupBy(u => u.Hour)
            .Select(g => new HourlyUsage(g.Key, g.Aggregate(UsageCounters.None, (sum, u) => sum.Plus(u.Counters))))
            .OrderBy(u => u.Hour)];
    }

    private async Task<List<TableEntity>> ListFilesInFolderAsync(Guid environmentId, Guid folderId, CancellationToken cancellationToken)
    {
        var (from, below) = Range(Files);
        return await (await EnvironmentDataAsync(cancellationToken)).ListAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {EnvironmentData(environmentId)} and RowKey ge {from} and RowKey lt {below} and FolderId eq {folderId}"),
            [nameof(ITableEntity.PartitionKey), nameof(ITableEntity.RowKey)],
            cancellationToken);
    }

    /// <summary>
    /// Reads the file, lets <paramref name="change"/> edit it (or decline by returning false), and writes it back only if
    /// nobody changed it meanwhile: the atomic UPDATE ... WHERE of SQLite. False when the file does not exist or was declined.
    /// </summary>
    private async Task<bool> ChangeFileAsync(Guid environmentId, Guid fileId, Func<FileEntity, bool> change, CancellationToken cancellationToken)
    {
        var table = await EnvironmentDataAsync(cancellationToken);
        for (var attempt = 1; ; attempt++)
        {
            var entity = await table.FindAsync<FileEntity>(EnvironmentData(environmentId), File(fileId), cancellationToken);
            if (entity is null || !change(entity))
            {
                return false;
            }

            try
            {
                await table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace, cancellationToken);
                return true;
            }
            catch (RequestFailedException ex) when (ex.Status == 412 && attempt < Optimistic.MaxAttempts)
            {
                await Optimistic.PauseAsync(attempt, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status == 412)
            {
                throw Optimistic.GaveUp($"File '{fileId}'");
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                return false;
            }
        }
    }
}
