using Memic.Core.Keys;
using Memic.Core.Ports;
using Memic.Embedded.Internals;
using Microsoft.Extensions.Options;

namespace Memic.Embedded.Keys;

/// <summary>
/// The embedded key store: <c>&lt;data&gt;/keys.db</c>, a file of its own (as Key Vault is a service of its own),
/// holding bindings by SHA-256 only.
/// </summary>
public sealed class SqliteApiKeyStore : IApiKeyStore
{
    private static readonly IReadOnlyList<string> Migrations =
    [
        """
        CREATE TABLE key_bindings (
            key_hash        BLOB PRIMARY KEY,
            scope           TEXT NOT NULL,
            key_id          TEXT NOT NULL,
            environment_id  TEXT
        ) WITHOUT ROWID;
        """,
    ];

    private readonly SqliteDatabase _database;

    public SqliteApiKeyStore(IOptions<EmbeddedOptions> options)
    {
        _database = new SqliteDatabase(Path.Combine(options.Value.FullDataDirectory, "keys.db"), Migrations);
    }

    public async Task PutAsync(ApiKeyBinding binding, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            """
            INSERT INTO key_bindings (key_hash, scope, key_id, environment_id) VALUES ($hash, $scope, $key, $env)
            ON CONFLICT (key_hash) DO UPDATE SET scope = excluded.scope, key_id = excluded.key_id, environment_id = excluded.environment_id
            """,
            cancellationToken,
            ("$hash", binding.KeyHash), ("$scope", binding.Scope), ("$key", binding.KeyId), ("$env", binding.EnvironmentId));
    }

    public async Task<ApiKeyBinding?> FindAsync(byte[] keyHash, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        return await connection.QuerySingleAsync(
            "SELECT * FROM key_bindings WHERE key_hash = $hash",
            r => new ApiKeyBinding(r.GetBytes("key_hash"), Enum.Parse<KeyScope>(r.GetString("scope")), r.GetGuid("key_id"), r.GetNullableGuid("environment_id")),
            cancellationToken,
            ("$hash", keyHash));
    }

    public async Task DeleteAsync(byte[] keyHash, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync("DELETE FROM key_bindings WHERE key_hash = $hash", cancellationToken, ("$hash", keyHash));
    }
}
