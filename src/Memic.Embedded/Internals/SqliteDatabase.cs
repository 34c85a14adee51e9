using Microsoft.Data.Sqlite;

namespace Memic.Embedded.Internals;

/// <summary>
/// One SQLite file with its schema migrations. Connections are short-lived and pooled by the provider;
/// WAL lets readers run beside a writer, and the busy timeout lets two processes share the file.
/// </summary>
internal sealed class SqliteDatabase
{
    private readonly string _connectionString;
    private readonly IReadOnlyList<string> _migrations;
    private readonly Lock _migrationLock = new();
    private volatile bool _migrated;

    /// <param name="path">The database file; its folder is created.</param>
    /// <param name="migrations">Schema steps in order; step i moves <c>user_version</c> from i to i+1.</param>
    public SqliteDatabase(string path, IReadOnlyList<string> migrations)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            ForeignKeys = true,
            DefaultTimeout = 30,
        }.ToString();
        _migrations = migrations;
    }

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (!_migrated)
        {
            Migrate();
        }

        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    /// <summary>Runs once per process, before the first query; synchronous because it is start-up work.</summary>
    private void Migrate()
    {
        lock (_migrationLock)
        {
            if (_migrated)
            {
                return;
            }

            using var connection = new SqliteConnection(_connectionString);
            connection.Open();
            Execute(connection, "PRAGMA journal_mode = WAL;");

            // BEGIN IMMEDIATE takes the write lock up front, so two processes starting together migrate once.
            Execute(connection, "BEGIN IMMEDIATE;");
            using var versionQuery = connection.CreateCommand();
            versionQuery.CommandText = "PRAGMA user_version;";
            var version = Convert.ToInt32(versionQuery.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
            for (var step = version; step < _migrations.Count; step++)
            {
                Execute(connection, _migrations[step]);
                Execute(connection, $"PRAGMA user_version = {step + 1};");
            }

            Execute(connection, "COMMIT;");
            _migrated = true;
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
