using Azure;
using Azure.Data.Tables;
using Memic.Azure.Internals;
using Memic.Core.Errors;
using Memic.Core.Ports;
using Memic.Core.Tenancy;
using Microsoft.Extensions.Options;
using static Memic.Azure.Internals.TableKeys;

namespace Memic.Azure.Catalog;

/// <summary>
/// The catalog on Azure Table Storage, behaving as <c>SqliteCatalog</c> does (the same contract suites run against both).
/// <list type="bullet">
/// <item>Two tables. <c>Tenancy</c> keeps organizations, projects, environments, settings and key locators in fixed
/// partitions; <c>EnvironmentData</c> keeps folders, files, keys, usage and prompts in one partition per environment,
/// so an environment's rows are read, changed together and removed together.</item>
/// <item>Uniqueness (a slug per project, a folder name per environment, one default organization and project, one generated
/// admin key, prompt version numbers) is a marker row inserted with the row it guards in one transaction of the same
/// partition: the table's own key uniqueness turns a duplicate into 409, reported as <see cref="ConflictException"/>.</item>
/// <item>Compare-and-set operations read the row's ETag and write only if it still matches, retrying on a lost race.</item>
/// <item>Rows SQLite ties to an environment with foreign keys are written only while the environment exists.
/// A write racing the environment's removal can still leave rows in its emptied partition; nothing reads them.</item>
/// </list>
/// </summary>
public sealed partial class AzureTableCatalog : ITenancyCatalog, IHostSettingsCatalog
{
    private readonly CatalogTables _tables;

    /// <param name="service">The account's client, registered through Microsoft.Extensions.Azure from <see cref="AzureTableOptions"/>.</param>
    public AzureTableCatalog(TableServiceClient service, IOptions<AzureTableOptions> options)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(options);
        _tables = new CatalogTables(service, options.Value.TablePrefix);
    }

    // Organizations and projects

    public async Task AddOrganizationAsync(Organization organization, bool isDefault, CancellationToken cancellationToken)
    {
        List<TableTransactionAction> actions = [Add(organization.ToEntity())];
        if (isDefault)
        {
            actions.Add(Add(CatalogMapping.Marker(OrganizationPartition, DefaultMarker, organization.Id)));
        }

        await SubmitUniqueAsync(await TenancyAsync(cancellationToken), actions, "An organization is already the default.", cancellationToken);
    }

    public async Task<Organization?> GetOrganizationAsync(Guid id, CancellationToken cancellationToken) =>
        (await (await TenancyAsync(cancellationToken)).FindAsync<OrganizationEntity>(OrganizationPartition, Organization(id), cancellationToken))?.ToOrganization();

    public async Task<Organization?> GetDefaultOrganizationAsync(CancellationToken cancellationToken)
    {
        var tenancy = await TenancyAsync(cancellationToken);
        var marker = await tenancy.FindAsync<MarkerEntity>(OrganizationPartition, DefaultMarker, cancellationToken);
        return marker is null ? null : (await tenancy.FindAsync<OrganizationEntity>(OrganizationPartition, Organization(marker.Owner), cancellationToken))?.ToOrganization();
    }

    public async Task AddProjectAsync(Project project, bool isDefault, CancellationToken cancellationToken)
    {
        List<TableTransactionAction> actions = [Add(project.ToEntity())];
        if (isDefault)
        {
            actions.Add(Add(CatalogMapping.Marker(ProjectPartition, DefaultMarker, project.Id)));
        }

        await SubmitUniqueAsync(await TenancyAsync(cancellationToken), actions, "A project is already the default.", cancellationToken);
    }

    public async Task<Project?> GetProjectAsync(Guid id, CancellationToken cancellationToken) =>
        (await (await TenancyAsync(cancellationToken)).FindAsync<ProjectEntity>(ProjectPartition, Project(id), cancellationToken))?.ToProject();

    public async Task<Project?> GetDefaultProjectAsync(CancellationToken cancellationToken)
    {
        var tenancy = await TenancyAsync(cancellationToken);
        var marker = await tenancy.FindAsync<MarkerEntity>(ProjectPartition, DefaultMarker, cancellationToken);
        return marker is null ? null : (await tenancy.FindAsync<ProjectEntity>(ProjectPartition, Project(marker.Owner), cancellationToken))?.ToProject();
    }

    public async Task<IReadOnlyList<Project>> ListProjectsAsync(Guid organizationId, CancellationToken cancellationToken)
    {
        var (from, below) = Range(Projects);
        var projects = await (await TenancyAsync(cancellationToken)).ListAsync<ProjectEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {ProjectPartition} and RowKey ge {from} and RowKey lt {below} and OrganizationId eq {organizationId}"),
            cancellationToken);
        return [.. projects.Select(p => p.ToProject()).OrderBy(p => p.CreatedAt).ThenBy(p => p.Id.ToString("D"), StringComparer.Ordinal)];
    }

    // Environments and folders

    public async Task AddEnvironmentAsync(MemicEnvironment environment, CancellationToken cancellationToken) =>
        await SubmitUniqueAsync(
            await TenancyAsync(cancellationToken),
            [Add(environment.ToEntity()), Add(CatalogMapping.Marker(EnvironmentPartition, Slug(environment.ProjectId, environment.Slug), environment.Id))],
            $"An environment with slug '{environment.Slug}' already exists in this project.",
            cancellationToken);

    public async Task<MemicEnvironment?> GetEnvironmentAsync(Guid id, CancellationToken cancellationToken) =>
        (await FindEnvironmentEntityAsync(id, cancellationToken))?.ToEnvironment();

    public async Task<MemicEnvironment?> FindEnvironmentAsync(Guid projectId, string slug, CancellationToken cancellationToken)
    {
        var marker = await (await TenancyAsync(cancellationToken)).FindAsync<MarkerEntity>(EnvironmentPartition, Slug(projectId, slug), cancellationToken);
        return marker is null ? null : await GetEnvironmentAsync(marker.Owner, cancellationToken);
    }

    public async Task<IReadOnlyList<MemicEnvironment>> ListEnvironmentsAsync(CancellationToken cancellationToken)
    {
        var environments = await (await TenancyAsync(cancellationToken)).ListKindAsync<EnvironmentEntity>(EnvironmentPartition, Environments, cancellationToken);
        return [.. environments.Select(e => e.ToEnvironment()).OrderBy(e => e.CreatedAt).ThenBy(e => e.Id.ToString("D"), StringComparer.Ordinal)];
    }

    public async Task SetEnvironmentStatusAsync(Guid id, EnvironmentStatus status, DateTimeOffset at, CancellationToken cancellationToken) =>
        await (await TenancyAsync(cancellationToken)).MergeAsync(
            EnvironmentPartition, Environment(id),
            new Dictionary<string, object?> { [nameof(EnvironmentEntity.Status)] = status.ToString(), [nameof(EnvironmentEntity.UpdatedAt)] = at },
            cancellationToken);

    /// <summary>
    /// Empties the environment's partition, then removes the environment with its slug in one transaction. Every step is
    /// idempotent and the environment row goes last, so a removal cut short is finished by running it again.
    /// </summary>
    public async Task RemoveEnvironmentAsync(Guid id, CancellationToken cancellationToken)
    {
        var tenancy = await TenancyAsync(cancellationToken);
        var environment = await FindEnvironmentEntityAsync(id, cancellationToken);
        var rows = await _tables.EnvironmentData.ListAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {EnvironmentData(id)}"),
            [nameof(ITableEntity.PartitionKey), nameof(ITableEntity.RowKey)], cancellationToken);

        // Key locators first: once they are gone the keys are unreachable by id, and a re-run still finds the key rows to list.
        var (keysFrom, keysBelow) = Range(Keys);
        var locators = rows
            .Where(r => string.CompareOrdinal(r.RowKey, keysFrom) >= 0 && string.CompareOrdinal(r.RowKey, keysBelow) < 0)
            .Select(r => new TableEntity(KeyPartition, r.RowKey));
        await tenancy.DeleteAllAsync(locators, cancellationToken);
        var (connectorsFrom, connectorsBelow) = Range(Connectors);
        await tenancy.DeleteAllAsync(
            rows.Where(r => string.CompareOrdinal(r.RowKey, connectorsFrom) >= 0 && string.CompareOrdinal(r.RowKey, connectorsBelow) < 0)
                .Select(r => new TableEntity(ConnectorPartition, r.RowKey)),
            cancellationToken);
        await _tables.EnvironmentData.DeleteAllAsync(rows, cancellationToken);

        if (environment is not null)
        {
            // Frees the environment's search slot first; idempotent, so a removal cut short after it still finishes.
            await ReleasePlacementAsync(id, cancellationToken);
            await tenancy.DeleteAllAsync(
                [new TableEntity(EnvironmentPartition, Slug(environment.ProjectId, environment.Slug)), new TableEntity(EnvironmentPartition, Environment(id))],
                cancellationToken);
        }
    }

    public async Task AddFolderAsync(Folder folder, CancellationToken cancellationToken)
    {
        await RequireEnvironmentAsync(folder.EnvironmentId, cancellationToken);
        await SubmitUniqueAsync(
            _tables.EnvironmentData,
            [Add(folder.ToEntity()), Add(CatalogMapping.Marker(EnvironmentData(folder.EnvironmentId), FolderName(folder.Name), folder.Id))],
            $"A folder named '{folder.Name}' already exists in this environment.",
            cancellationToken);
    }

    public async Task<IReadOnlyList<Folder>> ListFoldersAsync(Guid environmentId, CancellationToken cancellationToken)
    {
        var folders = await (await EnvironmentDataAsync(cancellationToken)).ListKindAsync<FolderEntity>(EnvironmentData(environmentId), Folders, cancellationToken);
        return [.. folders.Select(f => f.ToFolder()).OrderBy(f => f.CreatedAt).ThenBy(f => f.Id.ToString("D"), StringComparer.Ordinal)];
    }

    // Host settings

    public async Task<string?> GetSettingAsync(string name, CancellationToken cancellationToken) =>
        (await (await TenancyAsync(cancellationToken)).FindAsync<SettingEntity>(SettingPartition, Setting(name), cancellationToken))?.Value;

    public async Task SetSettingAsync(string name, string value, CancellationToken cancellationToken) =>
        await (await TenancyAsync(cancellationToken)).UpsertEntityAsync(NewSetting(name, value), TableUpdateMode.Replace, cancellationToken);

    public async Task<string> GetOrAddSettingAsync(string name, string value, CancellationToken cancellationToken)
    {
        var tenancy = await TenancyAsync(cancellationToken);
        try
        {
            await tenancy.AddEntityAsync(NewSetting(name, value), cancellationToken);
            return value;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            var stored = await tenancy.FindAsync<SettingEntity>(SettingPartition, Setting(name), cancellationToken);
            return stored?.Value ?? value;
        }
    }

    private static SettingEntity NewSetting(string name, string value) =>
        new() { PartitionKey = SettingPartition, RowKey = Setting(name), Name = name, Value = value };

    private static TableTransactionAction Add(ITableEntity entity) => new(TableTransactionActionType.Add, entity);

    private async Task<TableClient> TenancyAsync(CancellationToken cancellationToken)
    {
        await _tables.EnsureCreatedAsync(cancellationToken);
        return _tables.Tenancy;
    }

    private async Task<TableClient> EnvironmentDataAsync(CancellationToken cancellationToken)
    {
        await _tables.EnsureCreatedAsync(cancellationToken);
        return _tables.EnvironmentData;
    }

    private async Task<EnvironmentEntity?> FindEnvironmentEntityAsync(Guid id, CancellationToken cancellationToken) =>
        await (await TenancyAsync(cancellationToken)).FindAsync<EnvironmentEntity>(EnvironmentPartition, Environment(id), cancellationToken);

    /// <summary>What SQLite's foreign keys give: nothing is added to an environment that does not exist.</summary>
    private async Task RequireEnvironmentAsync(Guid environmentId, CancellationToken cancellationToken)
    {
        if (!await EnvironmentExistsAsync(environmentId, cancellationToken))
        {
            throw NotFoundException.Resource("Environment", environmentId);
        }
    }

    private async Task<bool> EnvironmentExistsAsync(Guid environmentId, CancellationToken cancellationToken) =>
        await (await TenancyAsync(cancellationToken)).FindAsync<TableEntity>(
            EnvironmentPartition, Environment(environmentId), [nameof(ITableEntity.RowKey)], cancellationToken) is not null;

    /// <summary>Runs the actions as one transaction; a row that already exists (a taken unique value) is a conflict.</summary>
    private static async Task SubmitUniqueAsync(TableClient table, IReadOnlyList<TableTransactionAction> actions, string conflictMessage, CancellationToken cancellationToken)
    {
        try
        {
            await table.SubmitAsync(actions, cancellationToken);
        }
        catch (TableTransactionFailedException ex) when (ex.Status == 409)
        {
            throw new ConflictException(ErrorCodes.Conflict, conflictMessage);
        }
    }
}
