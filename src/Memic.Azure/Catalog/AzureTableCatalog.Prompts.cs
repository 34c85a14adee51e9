using Azure;
using Azure.Data.Tables;
using Memic.Azure.Internals;
using Memic.Core.Errors;
using Memic.Core.Ports;
using Memic.Core.Prompts;
using static Memic.Azure.Internals.TableKeys;

namespace Memic.Azure.Catalog;

/// <summary>
/// Prompt versions, in their environment's partition. Each name has a head row holding its latest and live version
/// numbers; every new version and every live switch is one transaction that rewrites the head under its ETag together
/// with the version rows it touches. So two concurrent adds cannot take the same number (the loser's head write fails
/// and it retries with the next one), and two switches cannot leave two live versions.
/// </summary>
public sealed partial class AzureTableCatalog : IPromptCatalog
{
    private static readonly string[] VersionStateColumns = [nameof(ITableEntity.RowKey), nameof(PromptVersionEntity.VersionNumber), nameof(PromptVersionEntity.IsLive)];

    public async Task<PromptVersion> AddPromptVersionAsync(Guid environmentId, string name, string body, bool makeLive, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await RequireEnvironmentAsync(environmentId, cancellationToken);
        for (var attempt = 1; ; attempt++)
        {
            var (head, exists) = await ReadPromptHeadAsync(environmentId, name, cancellationToken);
            var previousLive = head.LiveVersion;
            var version = new PromptVersion(environmentId, name, head.LatestVersion + 1, body, makeLive, at, at);
            head.LatestVersion = version.VersionNumber;
            head.LiveVersion = makeLive ? version.VersionNumber : previousLive;

            List<TableTransactionAction> actions = [WriteHead(head, exists), new(TableTransactionActionType.Add, version.ToEntity())];
            if (makeLive && previousLive is { } retired)
            {
                actions.Add(SetLive(environmentId, name, retired, isLive: false, at, ETag.All));
            }

            if (await TrySubmitAsync(actions, attempt, $"Prompt '{name}'", cancellationToken))
            {
                return version;
            }
        }
    }

    public async Task<PromptVersion?> SetLivePromptVersionAsync(Guid environmentId, string name, int versionNumber, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var table = await EnvironmentDataAsync(cancellationToken);
        for (var attempt = 1; ; attempt++)
        {
            var stored = await table.FindAsync<PromptVersionEntity>(EnvironmentData(environmentId), PromptVersion(name, versionNumber), cancellationToken);
            if (stored is null || stored.IsLive)
            {
                // Nothing to change: unknown, or live already (its updated_at keeps saying since when).
                return stored?.ToPromptVersion();
            }

            var (head, exists) = await ReadPromptHeadAsync(environmentId, name, cancellationToken);
            var previousLive = head.LiveVersion;
            head.LiveVersion = versionNumber;
            List<TableTransactionAction> actions = [WriteHead(head, exists), SetLive(environmentId, name, versionNumber, isLive: true, at, stored.ETag)];
            if (previousLive is { } retired && retired != versionNumber)
            {
                actions.Add(SetLive(environmentId, name, retired, isLive: false, at, ETag.All));
            }

            if (await TrySubmitAsync(actions, attempt, $"Prompt '{name}'", cancellationToken))
            {
                return stored.ToPromptVersion() with { IsLive = true, UpdatedAt = at };
            }
        }
    }

    public async Task<PromptVersion?> GetLivePromptVersionAsync(Guid environmentId, string name, CancellationToken cancellationToken)
    {
        var (from, below) = PrefixRange(PromptVersionsOf(name));
        var live = await (await EnvironmentDataAsync(cancellationToken)).ListAsync<PromptVersionEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {EnvironmentData(environmentId)} and RowKey ge {from} and RowKey lt {below} and IsLive eq {true}"),
            cancellationToken);
        return live.FirstOrDefault()?.ToPromptVersion();
    }

    public async Task<IReadOnlyList<PromptVersion>> ListPromptVersionsAsync(Guid environmentId, CancellationToken cancellationToken)
    {
        var versions = await (await EnvironmentDataAsync(cancellationToken)).ListKindAsync<PromptVersionEntity>(EnvironmentData(environmentId), Prompts, cancellationToken);
        return [.. versions.Select(v => v.ToPromptVersion()).OrderBy(v => v.Name, StringComparer.Ordinal).ThenBy(v => v.VersionNumber)];
    }

    /// <summary>Removes the versions, then the head: a removal cut short leaves versions a re-run (or the next add) still sees.</summary>
    public async Task<int> RemovePromptAsync(Guid environmentId, string name, CancellationToken cancellationToken)
    {
        var table = await EnvironmentDataAsync(cancellationToken);
        var versions = await ListVersionStatesAsync(table, environmentId, name, cancellationToken);
        await table.DeleteAllAsync(versions, cancellationToken);
        await table.DeleteEntityAsync(EnvironmentData(environmentId), PromptName(name), ETag.All, cancellationToken);
        return versions.Count;
    }

    /// <summary>
    /// The name's head, or one derived from its versions when it has none yet (a new name, or a removal cut short),
    /// so numbering always continues after the highest version stored, as SQLite's MAX(version_number) + 1 does.
    /// </summary>
    private async Task<(PromptNameEntity Head, bool Exists)> ReadPromptHeadAsync(Guid environmentId, string name, CancellationToken cancellationToken)
    {
        var table = await EnvironmentDataAsync(cancellationToken);
        var head = await table.FindAsync<PromptNameEntity>(EnvironmentData(environmentId), PromptName(name), cancellationToken);
        if (head is not null)
        {
            return (head, true);
        }

        var versions = await ListVersionStatesAsync(table, environmentId, name, cancellationToken);
        return (new PromptNameEntity
        {
            PartitionKey = EnvironmentData(environmentId),
            RowKey = PromptName(name),
            Name = name,
            LatestVersion = versions.Count == 0 ? 0 : versions.Max(v => v.VersionNumber),
            LiveVersion = versions.FirstOrDefault(v => v.IsLive)?.VersionNumber,
        }, false);
    }

    private static async Task<List<PromptVersionEntity>> ListVersionStatesAsync(TableClient table, Guid environmentId, string name, CancellationToken cancellationToken)
    {
        var (from, below) = PrefixRange(PromptVersionsOf(name));
        return await table.ListAsync<PromptVersionEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {EnvironmentData(environmentId)} and RowKey ge {from} and RowKey lt {below}"),
            [nameof(ITableEntity.PartitionKey), .. VersionStateColumns], cancellationToken);
    }

    /// <summary>A new head must not exist yet, an existing one must be unchanged since it was read.</summary>
    private static TableTransactionAction WriteHead(PromptNameEntity head, bool exists) =>
        exists
            ? new(TableTransactionActionType.UpdateReplace, head, head.ETag)
            : new(TableTransactionActionType.Add, head);

    private static TableTransactionAction SetLive(Guid environmentId, string name, int versionNumber, bool isLive, DateTimeOffset at, ETag ifMatch) =>
        new(TableTransactionActionType.UpdateMerge,
            new TableEntity(EnvironmentData(environmentId), PromptVersion(name, versionNumber))
            {
                [nameof(PromptVersionEntity.IsLive)] = isLive,
                [nameof(PromptVersionEntity.UpdatedAt)] = at,
            },
            ifMatch);

    /// <summary>Submits one compare-and-set transaction: false after pausing when another writer won, so the caller reads again.</summary>
    private async Task<bool> TrySubmitAsync(IReadOnlyList<TableTransactionAction> actions, int attempt, string what, CancellationToken cancellationToken)
    {
        try
        {
            await _tables.EnvironmentData.SubmitAsync(actions, cancellationToken);
            return true;
        }
        catch (TableTransactionFailedException ex) when (Optimistic.LostRace(ex) && attempt < Optimistic.MaxAttempts)
        {
            await Optimistic.PauseAsync(attempt, cancellationToken);
            return false;
        }
        catch (TableTransactionFailedException ex) when (Optimistic.LostRace(ex))
        {
            throw Optimistic.GaveUp(what);
        }
    }
}
