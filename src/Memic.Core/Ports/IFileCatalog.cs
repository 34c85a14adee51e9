using Memic.Core.Files;
using Memic.Core.Tenancy;
using Memic.Core.Usage;

namespace Memic.Core.Ports;

/// <summary>The catalog's file part. Every call names the environment: a file of another environment does not exist.</summary>
public interface IFileCatalog
{
    Task AddFileAsync(StoredFile file, CancellationToken cancellationToken);

    Task<StoredFile?> GetFileAsync(Guid environmentId, Guid fileId, CancellationToken cancellationToken);

    Task<FilePage> ListFilesAsync(Guid environmentId, FileQuery query, CancellationToken cancellationToken);

    /// <summary>Writes the file's mutable fields (status, error, counters, hash). Returns false when the file no longer exists.</summary>
    Task<bool> UpdateFileAsync(StoredFile file, CancellationToken cancellationToken);

    /// <summary>
    /// Moves a file to <paramref name="to"/> only if its status is one of <paramref name="from"/>: the compare-and-set
    /// that keeps concurrent confirms and workers from stepping on each other. Returns whether it moved.
    /// </summary>
    Task<bool> TransitionAsync(Guid environmentId, Guid fileId, IReadOnlyCollection<FileStatus> from, FileStatus to, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>
    /// Moves a file to <paramref name="to"/> only if its row is still exactly as read: status <paramref name="from"/> and
    /// <paramref name="lastUpdatedAt"/>. The claim on a stalled file, whose status may not change, so the status alone
    /// cannot tell two claimants apart. Returns whether it moved.
    /// </summary>
    Task<bool> TransitionIfUnchangedAsync(Guid environmentId, Guid fileId, FileStatus from, DateTimeOffset lastUpdatedAt, FileStatus to, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>
    /// Adds one to the file's <see cref="StoredFile.Attempts"/> atomically and returns the new count; null when the file no
    /// longer exists. <see cref="UpdateFileAsync"/> never writes the count, so a run's stale copy cannot undo an attempt.
    /// </summary>
    Task<int?> RecordAttemptAsync(Guid environmentId, Guid fileId, CancellationToken cancellationToken);

    Task RemoveFileAsync(Guid environmentId, Guid fileId, CancellationToken cancellationToken);

    /// <summary>Files accepted for processing and not finished, across environments: what a restarted worker resumes.</summary>
    Task<IReadOnlyList<(Guid EnvironmentId, Guid FileId)>> ListUnfinishedFilesAsync(CancellationToken cancellationToken);

    Task<int> CountFilesInFolderAsync(Guid environmentId, Guid folderId, CancellationToken cancellationToken);

    Task<IReadOnlyList<Guid>> ListFileIdsInFolderAsync(Guid environmentId, Guid folderId, CancellationToken cancellationToken);
}

/// <summary>The catalog's folder part beyond what provisioning needs.</summary>
public interface IFolderCatalog
{
    Task<Folder?> GetFolderAsync(Guid environmentId, Guid folderId, CancellationToken cancellationToken);

    Task RemoveFolderAsync(Guid environmentId, Guid folderId, CancellationToken cancellationToken);
}

/// <summary>Usage counters per environment, hour and instance (see <see cref="UsageMeter"/>).</summary>
public interface IUsageCatalog
{
    /// <summary>
    /// Stores the running totals <paramref name="instanceId"/> counted, replacing what it stored before for the same
    /// environment and hour; totals of an environment that no longer exists are dropped.
    /// </summary>
    Task WriteUsageAsync(Guid instanceId, IReadOnlyList<UsageSlice> slices, CancellationToken cancellationToken);

    /// <summary>The environment's counters per hour in [<paramref name="from"/>, <paramref name="to"/>), summed over instances, in hour order.</summary>
    Task<IReadOnlyList<HourlyUsage>> GetUsageAsync(Guid environmentId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);
}
