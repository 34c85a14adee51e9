using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using static Memic.Server.Tests.Wire;

namespace Memic.Server.Tests.Connectors;

/// <summary>
/// Connectors and structured search (CONTRACT §14) end to end: the local server, a real PostgreSQL cluster and a scripted
/// chat model. The model's SQL is whatever a test scripts, hostile included; the data must never change.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ConnectorTests(PostgresCluster db, ConnectorHost host) : IClassFixture<ConnectorHost>
{
    private static readonly string[] ShopTables = ["public.customers", "public.orders"];

    private static async Task<JsonElement> SearchAsync(HttpClient client, object request, string surface = "/api/v1") =>
        await (await client.PostAsJsonAsync(surface + "/search", request, Ct)).ExpectAsync(HttpStatusCode.OK);

    private static List<string> RowsAsText(JsonElement structured) =>
        [.. structured.GetProperty("rows").EnumerateArray().Select(row => string.Join('|', row.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText())))];

    private static List<string> PsqlRows(string output) => [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries)];

    private async Task<(Guid EnvironmentId, HttpClient Client, Guid ConnectorId)> ShopAsync(string slug, string? connectionString = null)
    {
        var (environmentId, client) = await host.EnvironmentAsync(slug);
        var connector = await host.CreateConnectorAsync(environmentId, connectionString ?? db.ReadOnlyConnectionString, ShopTables);
        return (environmentId, client, connector.GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task Create_reads_the_allow_listed_schema_and_no_response_shows_the_connection_string()
    {
        var (environmentId, client) = await host.EnvironmentAsync("conn-create");

        var created = await host.CreateConnectorAsync(environmentId, db.ReadOnlyConnectionString, ShopTables);

        Assert.Equal(["created_at", "description", "error", "id", "kind", "name", "refreshed_at", "status", "tables"], created.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal("ready", created.GetProperty("status").GetString());
        Assert.Equal("postgresql", created.GetProperty("kind").GetString());
        Assert.Equal(JsonValueKind.Null, created.GetProperty("error").ValueKind);
        var tables = created.GetProperty("tables").EnumerateArray().ToList();
        Assert.Equal(ShopTables, tables.Select(t => $"{t.GetProperty("schema").GetString()}.{t.GetProperty("name").GetString()}"));
        var orders = tables.Single(t => t.GetProperty("name").GetString() == "orders");
        Assert.Equal(["id integer", "customer_id integer", "total numeric(10,2)", "placed_on date"],
            orders.GetProperty("columns").EnumerateArray().Select(c => $"{c.GetProperty("name").GetString()} {c.GetProperty("type").GetString()}"));

        var id = created.GetProperty("id").GetGuid();
        var responses = new[]
        {
            await (await host.Admin.GetAsync($"/api/admin/v1/connectors/{id}", Ct)).ExpectAsync(HttpStatusCode.OK),
            await (await host.Admin.GetAsync($"/api/admin/v1/environments/{environmentId}/connectors", Ct)).ExpectAsync(HttpStatusCode.OK),
            await (await client.GetAsync("/api/v1/connectors", Ct)).ExpectAsync(HttpStatusCode.OK),
            await (await client.GetAsync("/api/v1/sdk/connectors", Ct)).ExpectAsync(HttpStatusCode.OK),
        };
        Assert.Equal(id, responses[0].GetProperty("id").GetGuid());
        Assert.All(responses[1..], list => Assert.Equal(id, Assert.Single(list.EnumerateArray()).GetProperty("id").GetGuid()));
        Assert.All(responses.Append(created), r => Assert.DoesNotContain(db.ReadOnlyPassword, r.GetRawText(), StringComparison.Ordinal));
        Assert.All(responses.Append(created), r => Assert.DoesNotContain("connection_string", r.GetRawText(), StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("wrong password")]
    [InlineData("unreachable port")]
    [InlineData("unknown database")]
    public async Task A_database_that_cannot_be_reached_is_422_connector_unreachable_and_nothing_is_stored(string problem)
    {
        var (environmentId, _) = await host.EnvironmentAsync("conn-bad-" + problem.Replace(' ', '-'));
        var secretsBefore = SecretFiles();
        var connectionString = problem switch
        {
            "wrong password" => db.ConnectionString(PostgresCluster.ReadOnlyUser, "not-the-password"),
            "unreachable port" => db.ConnectionString(PostgresCluster.ReadOnlyUser, db.ReadOnlyPassword, port: UnusedPort()),
            _ => db.ReadOnlyConnectionString.Replace("Database=shop", "Database=no_such_db", StringComparison.Ordinal),
        };

        var response = await host.Admin.PostAsJsonAsync(
            $"/api/admin/v1/environments/{environmentId}/connectors",
            new { name = "broken", kind = "postgresql", connection_string = connectionString },
            Ct);

        var detail = await response.ExpectErrorAsync(HttpStatusCode.UnprocessableEntity, "connector_unreachable");
        Assert.DoesNotContain(db.ReadOnlyPassword, detail.GetRawText(), StringComparison.Ordinal);
        var stored = await (await host.Admin.GetAsync($"/api/admin/v1/environments/{environmentId}/connectors", Ct)).ExpectAsync(HttpStatusCode.OK);
        Assert.Empty(stored.EnumerateArray());
        Assert.Equal(secretsBefore, SecretFiles());
    }

    [Theory]
    [InlineData("count", "SELECT count(*) AS customers FROM public.customers")]
    [InlineData("group by", "SELECT country, count(*) AS n FROM public.customers GROUP BY country ORDER BY country")]
    [InlineData("join", "SELECT c.name, sum(o.total) AS spent FROM public.customers c JOIN public.orders o ON o.customer_id = c.id GROUP BY c.name ORDER BY spent DESC")]
    public async Task A_structured_answer_holds_exactly_the_rows_psql_returns(string kind, string sql)
    {
        var (_, client, connectorId) = await ShopAsync("conn-happy-" + kind.Replace(' ', '-'));
        host.Script("structured", connectorId, sql);

        var body = await SearchAsync(client, new { query = "How many customers per country?" }, "/api/v1/sdk");

        var routing = body.GetProperty("routing");
        Assert.Equal("structured", routing.GetProperty("route").GetString());
        Assert.Equal(connectorId, routing.GetProperty("connector_id").GetGuid());
        Assert.Equal("shop", routing.GetProperty("connector_name").GetString());
        Assert.Equal(sql, routing.GetProperty("sql_generated").GetString());
        Assert.Equal("Counted by the database.", routing.GetProperty("sql_explanation").GetString());
        var structured = body.GetProperty("results").GetProperty("structured");
        Assert.Equal(["columns", "connector_id", "connector_name", "row_count", "rows", "sql", "truncated"], structured.EnumerateObject().Select(p => p.Name).Order());
        Assert.Empty(body.GetProperty("results").GetProperty("semantic").EnumerateArray());
        var expected = PsqlRows(await db.PsqlAsync(PostgresCluster.Database, sql));
        Assert.Equal(expected, RowsAsText(structured));
        Assert.Equal(expected.Count, structured.GetProperty("row_count").GetInt32());
        Assert.False(structured.GetProperty("truncated").GetBoolean());
    }

    [Fact]
    public async Task Values_are_typed_as_json_and_the_row_cap_sets_truncated()
    {
        var (_, client, connectorId) = await ShopAsync("conn-types");
        host.Script("structured", connectorId,
            "SELECT id, name, vip, signed_up, (SELECT sum(total) FROM public.orders o WHERE o.customer_id = c.id) AS spent FROM public.customers c WHERE id IN (1, 3) ORDER BY id");

        var typed = (await SearchAsync(client, new { query = "Show two customers" })).GetProperty("results").GetProperty("structured");

        Assert.Equal(["id", "name", "vip", "signed_up", "spent"], typed.GetProperty("columns").EnumerateArray().Select(c => c.GetString()));
        var ada = typed.GetProperty("rows")[0];
        Assert.Equal(JsonValueKind.Number, ada[0].ValueKind);
        Assert.Equal("Ada", ada[1].GetString());
        Assert.Equal(JsonValueKind.True, ada[2].ValueKind);
        Assert.Equal("2026-01-05T10:00:00Z", ada[3].GetString());
        Assert.Equal(200.50m, ada[4].GetDecimal());
        Assert.Equal(JsonValueKind.Null, typed.GetProperty("rows")[1][2].ValueKind);

        host.Script("structured", connectorId, "SELECT n FROM generate_series(1, 500) AS n");
        var capped = (await SearchAsync(client, new { query = "Count to five hundred" })).GetProperty("results").GetProperty("structured");
        Assert.Equal(200, capped.GetProperty("row_count").GetInt32());
        Assert.True(capped.GetProperty("truncated").GetBoolean());
    }

    [Fact]
    public async Task Queries_run_in_a_read_only_transaction_under_the_statement_timeout_and_writes_inside_functions_fail_there()
    {
        var (_, client, connectorId) = await ShopAsync("conn-session", db.SuperuserConnectionString);
        host.Script("structured", connectorId,
            "SELECT current_setting('transaction_read_only') AS read_only, current_setting('statement_timeout') AS timeout, current_setting('application_name') AS app");

        var settings = (await SearchAsync(client, new { query = "Which settings apply?" })).GetProperty("results").GetProperty("structured");
        host.Script("structured", connectorId, "SELECT public.bump()");
        var bumped = await SearchAsync(client, new { query = "Bump the totals" });

        Assert.Equal(["on|1s|memic-connector"], RowsAsText(settings));
        Assert.Contains("read-only transaction", bumped.GetProperty("routing").GetProperty("reasoning").GetString(), StringComparison.Ordinal);
        Assert.Equal("80.00", (await db.PsqlAsync(PostgresCluster.Database, "SELECT total FROM public.orders WHERE id = 11")).Trim());
    }

    [Fact]
    public async Task Hybrid_fills_both_result_kinds()
    {
        var (_, client, connectorId) = await ShopAsync("conn-hybrid");
        var text = "Shipping policy. Orders from VIP customers ship free of charge within two working days."u8.ToArray();
        await Uploads.UploadAndWaitAsync(host.Server, client, "shipping.txt", text, "text/plain");
        host.Script("hybrid", connectorId, "SELECT name FROM public.customers WHERE vip ORDER BY name");

        var body = await SearchAsync(client, new { query = "Do VIP customers ship free of charge?", min_score = 0.1 });

        Assert.Equal("hybrid", body.GetProperty("routing").GetProperty("route").GetString());
        Assert.Equal(["Ada", "Margaret"], RowsAsText(body.GetProperty("results").GetProperty("structured")));
        Assert.Contains("ship free of charge", body.GetProperty("results").GetProperty("semantic")[0].GetProperty("content").GetString(), StringComparison.Ordinal);
    }

    public static TheoryData<string, string[]> HostileQueries(string marker) => new()
    {
        { "drop", ["DROP TABLE public.orders"] },
        { "delete", ["DELETE FROM public.orders"] },
        { "update", ["UPDATE public.customers SET name = 'pwned'"] },
        { "insert", ["INSERT INTO public.customers VALUES (99, 'Eve', 'XX', now(), false)"] },
        { "data-modifying cte", ["WITH gone AS (DELETE FROM public.orders RETURNING *) SELECT count(*) FROM gone"] },
        { "two statements", ["SELECT 1; DELETE FROM public.orders", "select/**/1;/**/delete from public.orders;"] },
        { "pg_sleep", ["SELECT pg_sleep(60)", "SELECT \"pg_sleep\"(60)"] },
        { "statement timeout", ["SELECT count(*) FROM generate_series(1, 100000000000) AS n"] },
        { "pg_read_file", ["SELECT pg_read_file('/etc/passwd')"] },
        { "copy to program", [$"COPY (SELECT 1) TO PROGRAM 'touch {marker}'", $"WITH x AS (SELECT 1) COPY (SELECT 1) TO PROGRAM 'touch {marker}'"] },
        { "lo_export", [$"SELECT lo_export(lo_from_bytea(0, 'x'), '{marker}')"] },
        { "set_config then update", ["SELECT set_config('default_transaction_read_only', 'off', false)", "UPDATE public.customers SET vip = false"] },
        { "table outside the allow-list", ["SELECT * FROM public.salaries", "SELECT s.amount FROM public.customers c, \"public\".\"salaries\" s"] },
        { "function that writes", ["SELECT public.bump()"] },
        { "row locks", ["SELECT * FROM public.orders FOR UPDATE"] },
    };

    [Theory]
    [MemberData(nameof(HostileQueriesHere))]
    public async Task Whatever_sql_the_model_writes_no_data_changes_and_the_answer_is_prompt_and_never_5xx(string kind, string[] statements)
    {
        var (_, client, connectorId) = await ShopAsync("conn-hostile-" + kind.Replace(' ', '-').Replace('_', '-'), db.SuperuserConnectionString);
        var before = await db.DumpAsync();

        foreach (var sql in statements)
        {
            host.Script("structured", connectorId, sql);
            var clock = Stopwatch.StartNew();
            var answered = await client.PostAsJsonAsync("/api/v1/search", new { query = "Tidy the shop up" }, Ct);
            var automatic = await answered.ExpectAsync(HttpStatusCode.OK);
            Assert.True(clock.Elapsed < ConnectorHost.StatementTimeout + TimeSpan.FromSeconds(2), $"{sql} took {clock.Elapsed}");
            Assert.Equal(JsonValueKind.Null, automatic.GetProperty("results").GetProperty("structured").ValueKind);
            Assert.Equal("semantic", automatic.GetProperty("routing").GetProperty("route").GetString());
            Assert.Contains("not answered", automatic.GetProperty("routing").GetProperty("reasoning").GetString(), StringComparison.Ordinal);

            clock.Restart();
            var forced = await client.PostAsJsonAsync("/api/v1/search", new { query = "Tidy the shop up", force_route = "structured" }, Ct);
            await forced.ExpectErrorAsync(HttpStatusCode.UnprocessableEntity, "structured_query_failed");
            Assert.True(clock.Elapsed < ConnectorHost.StatementTimeout + TimeSpan.FromSeconds(2), $"{sql} (forced) took {clock.Elapsed}");
        }

        Assert.Equal(before, await db.DumpAsync());
        Assert.False(File.Exists(EscapeMarker));
    }

    /// <summary>The file COPY TO PROGRAM or lo_export would create if either ever ran.</summary>
    private static readonly string EscapeMarker = Path.Combine(Path.GetTempPath(), "memic-connector-escaped");

    public static TheoryData<string, string[]> HostileQueriesHere => HostileQueries(EscapeMarker);

    [Fact]
    public async Task Connectors_and_their_ids_do_not_cross_environments()
    {
        var (environmentA, clientA, connectorA) = await ShopAsync("conn-iso-a");
        var (environmentB, clientB) = await host.EnvironmentAsync("conn-iso-b");
        host.Script("structured", connectorA, "SELECT count(*) FROM public.customers");

        var listB = await (await clientB.GetAsync("/api/v1/connectors", Ct)).ExpectAsync(HttpStatusCode.OK);
        var adminListB = await (await host.Admin.GetAsync($"/api/admin/v1/environments/{environmentB}/connectors", Ct)).ExpectAsync(HttpStatusCode.OK);
        var searchB = await clientB.PostAsJsonAsync("/api/v1/search", new { query = "How many customers?", connector_id = connectorA }, Ct);
        var chatB = await clientB.PostAsJsonAsync("/api/v1/chat", new { question = "How many customers?", connector_id = connectorA }, Ct);
        var plainB = await SearchAsync(clientB, new { query = "How many customers?" });

        Assert.Empty(listB.EnumerateArray());
        Assert.Empty(adminListB.EnumerateArray());
        await searchB.ExpectErrorAsync(HttpStatusCode.NotFound, "not_found");
        await chatB.ExpectErrorAsync(HttpStatusCode.NotFound, "not_found");
        Assert.Equal(JsonValueKind.Null, plainB.GetProperty("results").GetProperty("structured").ValueKind);
        Assert.Contains("No connectors", plainB.GetProperty("routing").GetProperty("reasoning").GetString(), StringComparison.Ordinal);
        var ownA = await SearchAsync(clientA, new { query = "How many customers?", connector_id = connectorA });
        Assert.Equal(connectorA, ownA.GetProperty("results").GetProperty("structured").GetProperty("connector_id").GetGuid());
        Assert.NotEqual(environmentA, environmentB);
    }

    [Fact]
    public async Task The_environment_prompt_text2sql_replaces_the_built_in_instructions()
    {
        var (environmentId, client, connectorId) = await ShopAsync("conn-prompt");
        await (await host.Admin.PostAsJsonAsync($"/api/admin/v1/environments/{environmentId}/prompts",
            new { name = "text2sql", body = "HOUSE RULES v7. Schema:\n{{schema}}\nAsk: {{question}}" }, Ct)).ExpectAsync(HttpStatusCode.Created);
        host.Script("structured", connectorId, "SELECT count(*) FROM public.orders");
        var seen = host.Model.Requests.Count;

        await SearchAsync(client, new { query = "How many orders are there?" });

        var routing = host.Model.Requests.Skip(seen).Single();
        var instructions = routing.Messages[0].Content;
        Assert.StartsWith("HOUSE RULES v7.", instructions, StringComparison.Ordinal);
        Assert.Contains("table public.orders (primary key: id)", instructions, StringComparison.Ordinal);
        Assert.Contains("foreign key (customer_id) references public.customers (id)", instructions, StringComparison.Ordinal);
        Assert.Contains("Ask: How many orders are there?", instructions, StringComparison.Ordinal);
        Assert.DoesNotContain("salaries", instructions, StringComparison.Ordinal);
        Assert.DoesNotContain(db.ReadOnlyPassword, instructions, StringComparison.Ordinal);
        Assert.Equal("json_schema", routing.Body.GetProperty("response_format").GetProperty("type").GetString());
    }

    [Fact]
    public async Task Chat_answers_from_the_rows_and_cites_the_connector_and_its_sql()
    {
        var (_, client, connectorId) = await ShopAsync("conn-chat");
        const string sql = "SELECT count(*) AS customers FROM public.customers";
        host.Script("structured", connectorId, sql);
        host.ChatAnswer = "There are 4 customers.";
        var seen = host.Model.Requests.Count;

        var body = await (await client.PostAsJsonAsync("/api/v1/chat", new { question = "How many customers do we have?" }, Ct)).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("There are 4 customers.", body.GetProperty("answer").GetString());
        var citation = Assert.Single(body.GetProperty("citations").EnumerateArray());
        Assert.Equal(connectorId, citation.GetProperty("file_id").GetGuid());
        Assert.Equal("shop", citation.GetProperty("file_name").GetString());
        Assert.Equal(sql, citation.GetProperty("passage").GetString());
        Assert.Equal(sql, body.GetProperty("routing").GetProperty("sql_generated").GetString());
        Assert.Equal(["4"], RowsAsText(body.GetProperty("results").GetProperty("structured")));
        var answerPrompt = host.Model.Requests.Skip(seen).Last().Messages[^1].Content;
        Assert.Contains("customers\n4\n", answerPrompt, StringComparison.Ordinal);
        Assert.Contains(sql, answerPrompt, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refresh_reads_the_schema_again_and_delete_purges_the_secret()
    {
        var (environmentId, _) = await host.EnvironmentAsync("conn-refresh");
        await db.PsqlAsync(PostgresCluster.Database, "CREATE TABLE IF NOT EXISTS public.refunds (id integer PRIMARY KEY); GRANT SELECT ON public.refunds TO memic_ro;");
        var created = await host.CreateConnectorAsync(environmentId, db.ReadOnlyConnectionString, ["public.customers", "public.refunds"]);
        var id = created.GetProperty("id").GetGuid();
        await db.PsqlAsync(PostgresCluster.Database, "ALTER TABLE public.refunds ADD COLUMN IF NOT EXISTS amount numeric");
        var secrets = Path.Combine(host.Server.DataDirectory, "connector-secrets");
        Assert.True(File.Exists(Path.Combine(secrets, $"{id}.bin")));

        var refreshed = await (await host.Admin.PostAsync($"/api/admin/v1/connectors/{id}/refresh", null, Ct)).ExpectAsync(HttpStatusCode.OK);
        await (await host.Admin.DeleteAsync($"/api/admin/v1/connectors/{id}", Ct)).ExpectAsync(HttpStatusCode.NoContent);

        var refunds = refreshed.GetProperty("tables").EnumerateArray().Single(t => t.GetProperty("name").GetString() == "refunds");
        Assert.Contains("amount", refunds.GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        Assert.True(refreshed.GetProperty("refreshed_at").GetDateTimeOffset() >= created.GetProperty("refreshed_at").GetDateTimeOffset());
        Assert.False(File.Exists(Path.Combine(secrets, $"{id}.bin")));
        await (await host.Admin.GetAsync($"/api/admin/v1/connectors/{id}", Ct)).ExpectErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await host.Admin.PostAsync($"/api/admin/v1/connectors/{id}/refresh", null, Ct)).ExpectErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Deleting_the_environment_deletes_its_connectors_and_their_secrets()
    {
        var (environmentId, _, connectorId) = await ShopAsync("conn-env-delete");
        var secret = Path.Combine(host.Server.DataDirectory, "connector-secrets", $"{connectorId}.bin");
        Assert.True(File.Exists(secret));

        var deleted = await host.Admin.DeleteAsync($"/api/admin/v1/environments/{environmentId}", Ct);

        Assert.True(deleted.IsSuccessStatusCode);
        Assert.False(File.Exists(secret));
        await (await host.Admin.GetAsync($"/api/admin/v1/connectors/{connectorId}", Ct)).ExpectErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task The_password_is_nowhere_in_the_data_directory_or_the_logs()
    {
        var (environmentId, client, connectorId) = await ShopAsync("conn-secret");
        var (_, _, superConnector) = await ShopAsync("conn-secret-super", db.SuperuserConnectionString);
        host.Script("structured", connectorId, "SELECT count(*) FROM public.orders");
        await SearchAsync(client, new { query = "How many orders?" });
        host.Script("structured", connectorId, "SELECT * FROM public.nope");
        await SearchAsync(client, new { query = "Break it" });
        await (await host.Admin.PostAsync($"/api/admin/v1/connectors/{connectorId}/refresh", null, Ct)).ExpectAsync(HttpStatusCode.OK);
        await host.Admin.PostAsJsonAsync($"/api/admin/v1/environments/{environmentId}/connectors",
            new { name = "typo", kind = "postgresql", connection_string = db.ConnectionString(PostgresCluster.ReadOnlyUser, db.ReadOnlyPassword + "x") }, Ct);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

        var passwords = new[] { db.ReadOnlyPassword, db.AdminPassword };
        foreach (var file in Directory.EnumerateFiles(host.Server.DataDirectory, "*", SearchOption.AllDirectories))
        {
            var bytes = await File.ReadAllBytesAsync(file, Ct);
            foreach (var password in passwords)
            {
                Assert.False(Contains(bytes, Encoding.UTF8.GetBytes(password)), $"{file} holds a connector password");
                Assert.False(Contains(bytes, Encoding.Unicode.GetBytes(password)), $"{file} holds a connector password (UTF-16)");
            }
        }

        Assert.NotEmpty(host.Logs.Lines);
        Assert.All(host.Logs.Lines, line => Assert.DoesNotContain(db.ReadOnlyPassword, line, StringComparison.Ordinal));
        Assert.All(host.Logs.Lines, line => Assert.DoesNotContain(db.AdminPassword, line, StringComparison.Ordinal));
        Assert.NotEqual(connectorId, superConnector);
    }

    private List<string> SecretFiles()
    {
        var directory = Path.Combine(host.Server.DataDirectory, "connector-secrets");
        return Directory.Exists(directory) ? [.. Directory.EnumerateFiles(directory).Order()] : [];
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;

    private static int UnusedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
