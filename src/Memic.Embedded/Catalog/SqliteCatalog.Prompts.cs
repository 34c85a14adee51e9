using System.Globalization;
using Memic.Core.Errors;
using Memic.Core.Ports;
using Memic.Core.Prompts;
using Memic.Embedded.Internals;
using Microsoft.Data.Sqlite;

namespace Memic.Embedded.Catalog;

/// <summary>
/// Prompt versions. Writes run in BEGIN IMMEDIATE transactions, which take SQLite's write lock before reading, so the
/// "highest number + 1" read and the insert cannot interleave with another writer, in this process or another one.
/// UNIQUE (environment_id, name, version_number) and the partial index on the live version back that up: a slip would
/// surface as a conflict, never as a duplicate number or two live versions.
/// </summary>
public sealed partial class SqliteCatalog : IPromptCatalog
{
    public async Task<PromptVersion> AddPromptVersionAsync(Guid environmentId, string name, string body, bool makeLive, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        try
        {
            await using var transaction = connection.BeginTransaction(deferred: false);
            await using var next = connection.Command(
                "SELECT COALESCE(MAX(version_number), 0) + 1 FROM prompt_versions WHERE environment_id = $env AND name = $name",
                ("$env", environmentId), ("$name", name));
            var versionNumber = Convert.ToInt32(await next.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
            if (makeLive)
            {
                await RetireLiveVersionAsync(connection, environmentId, name, at, cancellationToken);
            }

            await connection.ExecuteAsync(
                """
                INSERT INTO prompt_versions (environment_id, name, version_number, body, is_live, created_at, updated_at)
                VALUES ($env, $name, $version, $body, $live, $at, $at)
                """,
                cancellationToken,
                ("$env", environmentId), ("$name", name), ("$version", versionNumber), ("$body", body), ("$live", makeLive), ("$at", at));
            await transaction.CommitAsync(cancellationToken);
            return new PromptVersion(environmentId, name, versionNumber, body, makeLive, at, at);
        }
        catch (SqliteException ex) when (ex.IsUniqueViolation())
        {
            throw new ConflictException(ErrorCodes.Conflict, $"Prompt '{name}' was changed concurrently; retry the request.");
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == SqliteExtensions.ConstraintViolation && ex.Message.Contains("FOREIGN KEY", StringComparison.Ordinal))
        {
            // The environment was deleted between the service's check and this insert.
            throw NotFoundException.Resource("Environment", environmentId);
        }
    }

    public async Task<PromptVersion?> SetLivePromptVersionAsync(Guid environmentId, string name, int versionNumber, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction(deferred: false);
        var version = await connection.QuerySingleAsync(
            "SELECT * FROM prompt_versions WHERE environment_id = $env AND name = $name AND version_number = $version",
            MapPromptVersion, cancellationToken,
            ("$env", environmentId), ("$name", name), ("$version", versionNumber));
        if (version is null || version.IsLive)
        {
            // Nothing to change: unknown, or live already (its updated_at keeps saying since when).
            return version;
        }

        await RetireLiveVersionAsync(connection, environmentId, name, at, cancellationToken);
        await connection.ExecuteAsync(
            "UPDATE prompt_versions SET is_live = 1, updated_at = $at WHERE environment_id = $env AND name = $name AND version_number = $version",
            cancellationToken,
            ("$env", environmentId), ("$name", name), ("$version", versionNumber), ("$at", at));
        await transaction.CommitAsync(cancellationToken);
        return version with { IsLive = true, UpdatedAt = at };
    }

    public Task<PromptVersion?> GetLivePromptVersionAsync(Guid environmentId, string name, CancellationToken cancellationToken) =>
        SingleAsync(
            "SELECT * FROM prompt_versions WHERE environment_id = $env AND name = $name AND is_live = 1",
            MapPromptVersion, cancellationToken, ("$env", environmentId), ("$name", name));

    public Task<IReadOnlyList<PromptVersion>> ListPromptVersionsAsync(Guid environmentId, CancellationToken cancellationToken) =>
        ListAsync(
            "SELECT * FROM prompt_versions WHERE environment_id = $env ORDER BY name, version_number",
            MapPromptVersion, cancellationToken, ("$env", environmentId));

    public async Task<int> RemovePromptAsync(Guid environmentId, string name, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(
            "DELETE FROM prompt_versions WHERE environment_id = $env AND name = $name",
            cancellationToken, ("$env", environmentId), ("$name", name));
    }

    private static Task<int> RetireLiveVersionAsync(SqliteConnection connection, Guid environmentId, string name, DateTimeOffset at, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(
            "UPDATE prompt_versions SET is_live = 0, updated_at = $at WHERE environment_id = $env AND name = $name AND is_live = 1",
            cancellationToken, ("$env", environmentId), ("$name", name), ("$at", at));

    private static PromptVersion MapPromptVersion(SqliteDataReader r) =>
        new(r.GetGuid("environment_id"), r.GetString("name"), r.GetInt32(r.GetOrdinal("version_number")), r.GetString("body"),
            r.GetBool("is_live"), r.GetTimestamp("created_at"), r.GetTimestamp("updated_at"));
}
