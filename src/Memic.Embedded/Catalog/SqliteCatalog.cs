using Memic.Core.Errors;
using Memic.Core.Keys;
using Memic.Core.Ports;
using Memic.Core.Tenancy;
using Memic.Embedded.Internals;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Memic.Embedded.Catalog;

/// <summary>The embedded catalog: one SQLite file, <c>&lt;data&gt;/catalog.db</c>.</summary>
public sealed partial class SqliteCatalog : ITenancyCatalog, IKeyCatalog, IHostSettingsCatalog
{
    private readonly SqliteDatabase _database;

    public SqliteCatalog(IOptions<EmbeddedOptions> options)
    {
        _database = new SqliteDatabase(Path.Combine(options.Value.FullDataDirectory, "catalog.db"), CatalogSchema.Migrations);
    }

    // Organizations and projects

    public Task AddOrganizationAsync(Organization organization, bool isDefault, CancellationToken cancellationToken) =>
        InsertAsync(
            "INSERT INTO organizations (id, name, is_default, created_at) VALUES ($id, $name, $default, $created)",
            "An organization is already the default.",
            cancellationToken,
            ("$id", organization.Id), ("$name", organization.Name), ("$default", isDefault ? 1 : (object?)null), ("$created", organization.CreatedAt));

    public Task<Organization?> GetOrganizationAsync(Guid id, CancellationToken cancellationToken) =>
        SingleAsync("SELECT * FROM organizations WHERE id = $id", MapOrganization, cancellationToken, ("$id", id));

    public Task<Organization?> GetDefaultOrganizationAsync(CancellationToken cancellationToken) =>
        SingleAsync("SELECT * FROM organizations WHERE is_default = 1", MapOrganization, cancellationToken);

    public Task AddProjectAsync(Project project, bool isDefault, CancellationToken cancellationToken) =>
        InsertAsync(
            """
            INSERT INTO projects (id, organization_id, name, is_active, is_default, created_at, updated_at)
            VALUES ($id, $org, $name, $active, $default, $created, $updated)
            """,
            "A project is already the default.",
            cancellationToken,
            ("$id", project.Id), ("$org", project.OrganizationId), ("$name", project.Name), ("$active", project.IsActive),
            ("$default", isDefault ? 1 : (object?)null), ("$created", project.CreatedAt), ("$updated", project.UpdatedAt));

    public Task<Project?> GetProjectAsync(Guid id, CancellationToken cancellationToken) =>
        SingleAsync("SELECT * FROM projects WHERE id = $id", MapProject, cancellationToken, ("$id", id));

    public Task<Project?> GetDefaultProjectAsync(CancellationToken cancellationToken) =>
        SingleAsync("SELECT * FROM projects WHERE is_default = 1", MapProject, cancellationToken);

    public Task<IReadOnlyList<Project>> ListProjectsAsync(Guid organizationId, CancellationToken cancellationToken) =>
        ListAsync("SELECT * FROM projects WHERE organization_id = $org ORDER BY created_at, id", MapProject, cancellationToken, ("$org", organizationId));

    // Environments and folders

    public Task AddEnvironmentAsync(MemicEnvironment environment, CancellationToken cancellationToken) =>
        InsertAsync(
            """
            INSERT INTO environments (id, project_id, organization_id, slug, name, status, created_at, updated_at, expires_at)
            VALUES ($id, $project, $org, $slug, $name, $status, $created, $updated, $expires)
            """,
            $"An environment with slug '{environment.Slug}' already exists in this project.",
            cancellationToken,
            ("$id", environment.Id), ("$project", environment.ProjectId), ("$org", environment.OrganizationId), ("$slug", environment.Slug),
            ("$name", environment.Name), ("$status", environment.Status), ("$created", environment.CreatedAt), ("$updated", environment.UpdatedAt),
            ("$expires", environment.ExpiresAt));

    public Task<MemicEnvironment?> GetEnvironmentAsync(Guid id, CancellationToken cancellationToken) =>
        SingleAsync("SELECT * FROM environments WHERE id = $id", MapEnvironment, cancellationToken, ("$id", id));

    public Task<MemicEnvironment?> FindEnvironmentAsync(Guid projectId, string slug, CancellationToken cancellationToken) =>
        SingleAsync("SELECT * FROM environments WHERE project_id = $project AND slug = $slug", MapEnvironment, cancellationToken, ("$project", projectId), ("$slug", slug));

    public Task<IReadOnlyList<MemicEnvironment>> ListEnvironmentsAsync(CancellationToken cancellationToken) =>
        ListAsync("SELECT * FROM environments ORDER BY created_at, id", MapEnvironment, cancellationToken);

    public async Task SetEnvironmentExpiryAsync(Guid id, DateTimeOffset? expiresAt, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync("UPDATE environments SET expires_at = $expires, updated_at = $at WHERE id = $id", cancellationToken, ("$id", id), ("$expires", expiresAt), ("$at", at));
    }

    public async Task SetEnvironmentStatusAsync(Guid id, EnvironmentStatus status, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync("UPDATE environments SET status = $status, updated_at = $at WHERE id = $id", cancellationToken, ("$id", id), ("$status", status), ("$at", at));
    }

    public async Task RemoveEnvironmentAsync(Guid id, CancellationToken cancellationToken)
    {
        // Rows that belong to the environment go with it through ON DELETE CASCADE.
        await using var connection = await _database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync("DELETE FROM environments WHERE id = $id", cancellationToken, ("$id", id));
    }

    public Task AddFolderAsync(Folder folder, CancellationToken cancellationToken) =>
        InsertAsync(
            "INSERT INTO folders (id, environment_id, name, is_default, created_at) VALUES ($id, $env, $name, $default, $created)",
            $"A folder named '{folder.Name}' already exists in this environment.",
            cancellationToken,
            ("$id", folder.Id), ("$env", folder.EnvironmentId), ("$name", folder.Name), ("$default", folder.IsDefault), ("$created", folder.CreatedAt));

    public Task<IReadOnlyList<Folder>> ListFoldersAsync(Guid environmentId, CancellationToken cancellationToken) =>
        ListAsync("SELECT * FROM folders WHERE environment_id = $env ORDER BY created_at, id", MapFolder, cancellationToken, ("$env", environmentId));

    // Keys

    public Task AddKeyAsync(ApiKeyRecord key, CancellationToken cancellationToken) =>
        InsertKeyAsync(key, KeyScope.Environment, cancellationToken);

    public Task<ApiKeyRecord?> GetKeyAsync(Guid keyId, CancellationToken cancellationToken) =>
        SingleAsync("SELECT * FROM api_keys WHERE id = $id AND scope = 'Environment'", MapKey, cancellationToken, ("$id", keyId));

    public Task<IReadOnlyList<ApiKeyRecord>> ListKeysAsync(Guid environmentId, CancellationToken cancellationToken) =>
        ListAsync("SELECT * FROM api_keys WHERE environment_id = $env ORDER BY created_at, id", MapKey, cancellationToken, ("$env", environmentId));

    public async Task RemoveKeyAsync(Guid keyId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync("DELETE FROM api_keys WHERE id = $id", cancellationToken, ("$id", keyId));
    }

    public async Task MarkKeyUsedAsync(Guid keyId, DateTimeOffset usedAt, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync("UPDATE api_keys SET last_used_at = $at WHERE id = $id", cancellationToken, ("$id", keyId), ("$at", usedAt));
    }

    public Task<ApiKeyRecord?> GetGeneratedAdminKeyAsync(CancellationToken cancellationToken) =>
        SingleAsync("SELECT * FROM api_keys WHERE scope = 'Admin'", MapKey, cancellationToken);

    public Task SetGeneratedAdminKeyAsync(ApiKeyRecord key, CancellationToken cancellationToken) =>
        InsertKeyAsync(key, KeyScope.Admin, cancellationToken);

    // Host settings

    public async Task<string?> GetSettingAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT value FROM host_settings WHERE name = $name", ("$name", name));
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    public async Task SetSettingAsync(string name, string value, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            "INSERT INTO host_settings (name, value) VALUES ($name, $value) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            cancellationToken, ("$name", name), ("$value", value));
    }

    public async Task<string> GetOrAddSettingAsync(string name, string value, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync("INSERT INTO host_settings (name, value) VALUES ($name, $value) ON CONFLICT (name) DO NOTHING", cancellationToken, ("$name", name), ("$value", value));
        await using var command = connection.Command("SELECT value FROM host_settings WHERE name = $name", ("$name", name));
        return (string)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private Task InsertKeyAsync(ApiKeyRecord key, KeyScope scope, CancellationToken cancellationToken) =>
        InsertAsync(
            """
            INSERT INTO api_keys (id, environment_id, scope, name, prefix, key_hash, created_at, last_used_at)
            VALUES ($id, $env, $scope, $name, $prefix, $hash, $created, $used)
            """,
            "That key already exists.",
            cancellationToken,
            ("$id", key.Info.Id), ("$env", scope == KeyScope.Admin ? null : key.Info.EnvironmentId), ("$scope", scope), ("$name", key.Info.Name),
            ("$prefix", key.Info.Prefix), ("$hash", key.KeyHash), ("$created", key.Info.CreatedAt), ("$used", key.Info.LastUsedAt));

    private async Task InsertAsync(string sql, string conflictMessage, CancellationToken cancellationToken, params (string, object?)[] parameters)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        try
        {
            await connection.ExecuteAsync(sql, cancellationToken, parameters);
        }
        catch (SqliteException ex) when (ex.IsUniqueViolation())
        {
            throw new ConflictException(ErrorCodes.Conflict, conflictMessage);
        }
    }

    private async Task<T?> SingleAsync<T>(string sql, Func<SqliteDataReader, T> map, CancellationToken cancellationToken, params (string, object?)[] parameters)
        where T : class
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        return await connection.QuerySingleAsync(sql, map, cancellationToken, parameters);
    }

    private async Task<IReadOnlyList<T>> ListAsync<T>(string sql, Func<SqliteDataReader, T> map, CancellationToken cancellationToken, params (string, object?)[] parameters)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        return await connection.QueryAsync(sql, map, cancellationToken, parameters);
    }

    private static Organization MapOrganization(SqliteDataReader r) =>
        new(r.GetGuid("id"), r.GetString("name"), r.GetTimestamp("created_at"));

    private static Project MapProject(SqliteDataReader r) =>
        new(r.GetGuid("id"), r.GetString("name"), r.GetGuid("organization_id"), r.GetBool("is_active"), r.GetTimestamp("created_at"), r.GetTimestamp("updated_at"));

    private static MemicEnvironment MapEnvironment(SqliteDataReader r) =>
        new(r.GetGuid("id"), r.GetString("slug"), r.GetString("name"), r.GetGuid("project_id"), r.GetGuid("organization_id"),
            Enum.Parse<EnvironmentStatus>(r.GetString("status")), r.GetTimestamp("created_at"), r.GetTimestamp("updated_at"))
        {
            ExpiresAt = r.GetNullableTimestamp("expires_at"),
        };

    private static Folder MapFolder(SqliteDataReader r) =>
        new(r.GetGuid("id"), r.GetGuid("environment_id"), r.GetString("name"), r.GetBool("is_default"), r.GetTimestamp("created_at"));

    private static ApiKeyRecord MapKey(SqliteDataReader r) =>
        new(new ApiKeyInfo(r.GetGuid("id"), r.GetNullableGuid("environment_id") ?? Guid.Empty, r.GetString("name"), r.GetString("prefix"),
                r.GetTimestamp("created_at"), r.GetNullableTimestamp("last_used_at")),
            r.GetBytes("key_hash"));
}
