using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Memic.Connectors.PostgreSql.Internals;
using Memic.Core.Connectors;
using Memic.Core.Ports;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Memic.Connectors.PostgreSql;

/// <summary>
/// A customer's PostgreSQL (or Azure Database for PostgreSQL) as a connector reaches it. Every call opens its own
/// physical connection (no pool), so no session setting a query makes can outlive it, and closes it after. Queries run in
/// a READ ONLY transaction with <c>statement_timeout</c>, after <see cref="SqlGuard"/> and a plan check (every table the
/// plan reads must be allow-listed), wrapped so that the server returns at most one row more than the cap.
/// </summary>
public sealed partial class PostgreSqlConnectorDatabase(IOptions<ConnectorOptions> options, ILogger<PostgreSqlConnectorDatabase> logger) : IConnectorDatabase
{
    public const string PostgreSqlKind = "postgresql";

    /// <summary>Schemas PostgreSQL keeps for itself; never part of a connector's schema.</summary>
    private const string SystemSchemaFilter = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'";

    public string Kind => PostgreSqlKind;

    public string? CheckConnectionString(string connectionString) => ConnectionSettings.Check(connectionString);

    public async Task<IReadOnlyList<ConnectorTable>> ReadSchemaAsync(string connectionString, IReadOnlyList<string>? allowList, CancellationToken cancellationToken)
    {
        await using var session = await OpenAsync(connectionString, cancellationToken);
        try
        {
            await BeginReadOnlyAsync(session.Connection, cancellationToken);
            var tables = await ReadTablesAsync(session.Connection, allowList, cancellationToken);
            await AddKeysAsync(session.Connection, tables, cancellationToken);
            return [.. tables.Values.Select(t => t.ToTable(tables))];
        }
        catch (PostgresException ex)
        {
            throw new ConnectorUnreachableException($"The database answered, but reading its schema failed: {ex.MessageText} ({ex.SqlState}).", ex);
        }
        catch (NpgsqlException ex)
        {
            throw new ConnectorUnreachableException($"The connection to the database failed while reading its schema: {Describe(ex)}", ex);
        }
    }

    public async Task<QueryRows> QueryAsync(string connectionString, string sql, IReadOnlyList<ConnectorTable> tables, int maxRows, CancellationToken cancellationToken)
    {
        var query = SqlGuard.Check(sql);
        // The newline keeps a trailing "--" comment of the query from swallowing the wrapper's closing parenthesis.
        var wrapped = $"SELECT * FROM (\n{query}\n) AS memic_query LIMIT {(maxRows + 1).ToString(CultureInfo.InvariantCulture)}";
        var timeout = options.Value.StatementTimeout;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // The server stops the statement at the timeout; this bounds connecting and reading as well.
        deadline.CancelAfter(timeout + options.Value.ConnectTimeout + TimeSpan.FromSeconds(1));
        try
        {
            await using var session = await OpenAsync(connectionString, deadline.Token);
            await BeginReadOnlyAsync(session.Connection, deadline.Token);
            await CheckPlanAsync(session.Connection, wrapped, tables, deadline.Token);
            return await ReadRowsAsync(session.Connection, wrapped, maxRows, deadline.Token);
        }
        catch (PostgresException ex)
        {
            LogQueryRefusedByServer(logger, ex.SqlState);
            throw new StructuredQueryException(ex.SqlState == PostgresErrorCodes.QueryCanceled
                ? $"The query ran longer than the statement timeout ({timeout.TotalSeconds:0.###} s) and was stopped."
                : $"The database refused the query: {ex.MessageText} ({ex.SqlState}).", ex);
        }
        catch (OperationCanceledException ex) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new StructuredQueryException($"The query did not finish within the statement timeout ({timeout.TotalSeconds:0.###} s).", ex);
        }
        catch (NpgsqlException ex) when (ex.InnerException is TimeoutException)
        {
            throw new StructuredQueryException($"The query did not finish within the statement timeout ({timeout.TotalSeconds:0.###} s).", ex);
        }
        catch (NpgsqlException ex)
        {
            throw new StructuredQueryException($"The connection to the database failed during the query: {Describe(ex)}", ex);
        }
    }

    /// <summary>
    /// Resolves and checks the host, then connects to the checked address with a connection string of our making: no pool,
    /// our timeouts, no error detail (it can quote row values into logs). TLS still verifies the name the admin gave.
    /// </summary>
    private async Task<Session> OpenAsync(string connectionString, CancellationToken cancellationToken)
    {
        var settings = ConnectionSettings.Check(connectionString) is null ? ConnectionSettings.TryParse(connectionString)! :
            throw new ConnectorUnreachableException("The connection string is not usable; create the connector again.");
        var host = settings.Host!;
        var limits = options.Value;
        var unixSocket = host.StartsWith('/') || host.StartsWith('@');
        if (unixSocket && !limits.AllowPrivateNetworks)
        {
            throw new ConnectorUnreachableException("Unix-socket hosts are local to this server, which this deployment does not allow (Memic:Connectors:AllowPrivateNetworks).");
        }

        if (!unixSocket)
        {
            settings.Host = (await NetworkGuard.ResolveAsync(host, limits.AllowPrivateNetworks, cancellationToken)).ToString();
        }

        settings.Pooling = false;
        settings.Multiplexing = false;
        settings.Enlist = false;
        settings.IncludeErrorDetail = false;
        settings.LogParameters = false;
        settings.ApplicationName = "memic-connector";
        settings.Timeout = (int)Math.Ceiling(limits.ConnectTimeout.TotalSeconds);
        settings.CommandTimeout = (int)Math.Ceiling(limits.StatementTimeout.TotalSeconds) + 2;
        settings.CancellationTimeout = 1000;
        settings.MaxAutoPrepare = 0;

        var builder = new NpgsqlDataSourceBuilder(settings.ConnectionString);
        // The checked address is dialled; the certificate must still match the name the admin wrote (VerifyFull).
        builder.UseSslClientAuthenticationOptionsCallback(ssl => ssl.TargetHost = host);
        var source = builder.Build();
        try
        {
            return new Session(source, await source.OpenConnectionAsync(cancellationToken));
        }
        catch (Exception ex) when (ex is NpgsqlException or SocketException or TimeoutException || ex is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            await source.DisposeAsync();
            throw new ConnectorUnreachableException($"Could not connect to the database: {Describe(ex)}", ex);
        }
        catch
        {
            await source.DisposeAsync();
            throw;
        }
    }

    /// <summary>A safe one-line reason: the server's own message, or what the network said. Never the connection string.</summary>
    private static string Describe(Exception ex) => ex switch
    {
        PostgresException pg => $"{pg.MessageText} ({pg.SqlState}).",
        _ when ex.InnerException is SocketException socket => $"{socket.SocketErrorCode}.",
        SocketException socket => $"{socket.SocketErrorCode}.",
        _ when ex.InnerException is TimeoutException || ex is TimeoutException or OperationCanceledException => "the server did not answer in time.",
        _ => "the server could not be reached.",
    };

    private async Task BeginReadOnlyAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var timeout = ((long)options.Value.StatementTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        // SET LOCAL ends with the transaction, and the connection ends right after it: nothing carries over.
        foreach (var statement in new[]
        {
            "START TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY",
            $"SET LOCAL statement_timeout = {timeout}",
            $"SET LOCAL lock_timeout = {timeout}",
            $"SET LOCAL idle_in_transaction_session_timeout = {timeout}",
        })
        {
            await using var command = new NpgsqlCommand(statement, connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Asks the planner which relations the query reads (EXPLAIN does not run it) and refuses any outside the allow-list,
    /// however the query names them (aliases, quoting, search_path, subqueries, CTEs).
    /// </summary>
    private static async Task CheckPlanAsync(NpgsqlConnection connection, string wrapped, IReadOnlyList<ConnectorTable> tables, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("EXPLAIN (VERBOSE, FORMAT JSON) " + wrapped, connection);
        var plan = JsonNode.Parse((string)(await command.ExecuteScalarAsync(cancellationToken))!);
        var allowed = tables.Select(t => (t.Schema, t.Name)).ToHashSet();
        foreach (var (schema, relation) in Relations(plan))
        {
            if (!allowed.Contains((schema, relation)))
            {
                throw new StructuredQueryException($"The generated query was refused: it reads {schema}.{relation}, which is not one of the connector's tables.");
            }
        }
    }

    private static IEnumerable<(string Schema, string Relation)> Relations(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                if (obj["Relation Name"] is JsonValue relation)
                {
                    yield return (obj["Schema"]?.GetValue<string>() ?? "", relation.GetValue<string>());
                }

                foreach (var (_, child) in obj)
                {
                    foreach (var found in Relations(child))
                    {
                        yield return found;
                    }
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    foreach (var found in Relations(child))
                    {
                        yield return found;
                    }
                }

                break;
        }
    }

    private static async Task<QueryRows> ReadRowsAsync(NpgsqlConnection connection, string wrapped, int maxRows, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(wrapped, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList();
        var types = Enumerable.Range(0, reader.FieldCount).Select(reader.GetDataTypeName).ToList();
        var rows = new List<IReadOnlyList<JsonNode?>>();
        var truncated = false;
        while (await reader.ReadAsync(cancellationToken))
        {
            if (rows.Count == maxRows)
            {
                truncated = true;
                break;
            }

            var row = new JsonNode?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = await ReadValueAsync(reader, i, types[i], cancellationToken);
            }

            rows.Add(row);
        }

        return new QueryRows(columns, rows, truncated);
    }

    private static async Task<JsonNode?> ReadValueAsync(NpgsqlDataReader reader, int ordinal, string type, CancellationToken cancellationToken)
    {
        if (await reader.IsDBNullAsync(ordinal, cancellationToken))
        {
            return null;
        }

        try
        {
            return JsonValues.From(reader.GetValue(ordinal), type);
        }
        catch (Exception ex) when (ex is InvalidCastException or OverflowException or NotSupportedException)
        {
            // numeric beyond decimal's range or NaN reads as a double; a type without a .NET mapping as its text, if it has one.
            return ReadFallback(reader, ordinal);
        }
    }

    private static JsonNode? ReadFallback(NpgsqlDataReader reader, int ordinal)
    {
        try
        {
            return JsonValues.From(reader.GetFieldValue<double>(ordinal), "");
        }
        catch (Exception ex) when (ex is InvalidCastException or OverflowException or NotSupportedException)
        {
            try
            {
                return JsonValue.Create(reader.GetFieldValue<string>(ordinal));
            }
            catch (Exception inner) when (inner is InvalidCastException or NotSupportedException)
            {
                return JsonValue.Create($"({reader.GetDataTypeName(ordinal)} value)");
            }
        }
    }

    /// <summary>Readable tables, views excluded (a view's plan reads its base tables, which the plan check would refuse).</summary>
    private static async Task<Dictionary<(string, string), TableBuilder>> ReadTablesAsync(
        NpgsqlConnection connection, IReadOnlyList<string>? allowList, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"""
            SELECT n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod)
            FROM pg_catalog.pg_class c
            JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            WHERE c.relkind IN ('r', 'p', 'm', 'f') AND {SystemSchemaFilter}
              AND has_table_privilege(c.oid, 'SELECT')
            ORDER BY n.nspname, c.relname, a.attnum
            """,
            connection);
        var allowed = allowList?.ToHashSet(StringComparer.Ordinal);
        var tables = new Dictionary<(string, string), TableBuilder>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var key = (reader.GetString(0), reader.GetString(1));
            if (allowed is not null && !allowed.Contains($"{key.Item1}.{key.Item2}"))
            {
                continue;
            }

            if (!tables.TryGetValue(key, out var table))
            {
                tables[key] = table = new TableBuilder(key.Item1, key.Item2);
            }

            table.Columns.Add(new ConnectorColumn(reader.GetString(2), reader.GetString(3)));
        }

        return tables;
    }

    /// <summary>Primary keys, and foreign keys between two tables the connector has (others would reveal tables outside it).</summary>
    private static async Task AddKeysAsync(NpgsqlConnection connection, Dictionary<(string, string), TableBuilder> tables, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"""
            SELECT n.nspname, c.relname, con.contype,
                   ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(attnum, i)
                         JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.i)::text[],
                   fn.nspname, fc.relname,
                   ARRAY(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(attnum, i)
                         JOIN pg_catalog.pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum ORDER BY k.i)::text[]
            FROM pg_catalog.pg_constraint con
            JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
            JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_catalog.pg_class fc ON fc.oid = con.confrelid
            LEFT JOIN pg_catalog.pg_namespace fn ON fn.oid = fc.relnamespace
            WHERE con.contype IN ('p', 'f') AND {SystemSchemaFilter}
            ORDER BY n.nspname, c.relname, con.conname
            """,
            connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            if (!tables.TryGetValue((reader.GetString(0), reader.GetString(1)), out var table))
            {
                continue;
            }

            var columns = reader.GetFieldValue<string[]>(3);
            if (reader.GetChar(2) == 'p')
            {
                table.PrimaryKey.AddRange(columns);
            }
            else if (!reader.IsDBNull(4))
            {
                table.ForeignKeys.Add(new ConnectorForeignKey(columns, reader.GetString(4), reader.GetString(5), reader.GetFieldValue<string[]>(6)));
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "A connector's database refused a generated query ({SqlState})")]
    private static partial void LogQueryRefusedByServer(ILogger logger, string sqlState);

    private sealed class TableBuilder(string schema, string name)
    {
        public List<ConnectorColumn> Columns { get; } = [];

        public List<string> PrimaryKey { get; } = [];

        public List<ConnectorForeignKey> ForeignKeys { get; } = [];

        public ConnectorTable ToTable(Dictionary<(string, string), TableBuilder> all) =>
            new(schema, name, Columns, PrimaryKey, [.. ForeignKeys.Where(fk => all.ContainsKey((fk.ReferencedSchema, fk.ReferencedTable)))]);
    }

    /// <summary>One connection and the data source that made it, disposed together (the source has no pool to keep).</summary>
    private sealed class Session(NpgsqlDataSource source, NpgsqlConnection connection) : IAsyncDisposable
    {
        public NpgsqlConnection Connection { get; } = connection;

        public async ValueTask DisposeAsync()
        {
            await Connection.DisposeAsync();
            await source.DisposeAsync();
        }
    }
}
