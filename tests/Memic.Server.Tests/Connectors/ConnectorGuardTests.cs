using System.Net;
using Memic.Connectors.PostgreSql.Internals;
using Memic.Core.Connectors;

namespace Memic.Server.Tests.Connectors;

/// <summary>The checks a connector runs before anything reaches a database: which addresses, which SQL, which connection strings.</summary>
public sealed class ConnectorGuardTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("10.1.2.3")]
    [InlineData("172.20.0.5")]
    [InlineData("192.168.1.10")]
    [InlineData("169.254.169.254")]
    [InlineData("100.64.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("224.0.0.1")]
    [InlineData("::1")]
    [InlineData("::")]
    [InlineData("fe80::1")]
    [InlineData("fd00::1")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("64:ff9b::a00:1")]
    [InlineData("2002:a00:1::1")]
    public void Loopback_private_and_link_local_addresses_are_not_public(string address) =>
        Assert.True(NetworkGuard.IsNonPublic(IPAddress.Parse(address)));

    [Theory]
    [InlineData("20.50.2.10")]
    [InlineData("8.8.8.8")]
    [InlineData("172.32.0.1")]
    [InlineData("2603:1030::1")]
    [InlineData("::ffff:20.50.2.10")]
    public void Public_addresses_are_allowed(string address) =>
        Assert.False(NetworkGuard.IsNonPublic(IPAddress.Parse(address)));

    [Fact]
    public async Task A_name_that_resolves_to_loopback_is_refused_when_private_networks_are_not_allowed()
    {
        var refused = await Assert.ThrowsAsync<ConnectorUnreachableException>(() => NetworkGuard.ResolveAsync("localhost", allowPrivateNetworks: false, TestContext.Current.CancellationToken));
        var allowed = await NetworkGuard.ResolveAsync("localhost", allowPrivateNetworks: true, TestContext.Current.CancellationToken);

        Assert.Contains("AllowPrivateNetworks", refused.Message, StringComparison.Ordinal);
        Assert.True(IPAddress.IsLoopback(allowed));
    }

    [Theory]
    [InlineData("SELECT 1", "SELECT 1")]
    [InlineData("  select count(*) from public.orders ;; ", "select count(*) from public.orders")]
    [InlineData("WITH t AS (SELECT 1 AS x) SELECT x FROM t -- done", "WITH t AS (SELECT 1 AS x) SELECT x FROM t")]
    [InlineData("SELECT 'DROP TABLE x; DELETE' AS text, \"update\" FROM public.t", "SELECT 'DROP TABLE x; DELETE' AS text, \"update\" FROM public.t")]
    [InlineData("SELECT $q$ ; delete $q$, E'it\\'s; fine'", "SELECT $q$ ; delete $q$, E'it\\'s; fine'")]
    [InlineData("SELECT last_update, created_at FROM public.t /* update; */", "SELECT last_update, created_at FROM public.t")]
    [InlineData("SELECT owner, \"lock\" FROM public.repos", "SELECT owner, \"lock\" FROM public.repos")]
    public void Accepts_one_select_and_ignores_words_inside_strings_and_comments(string sql, string expected) =>
        Assert.Equal(expected, SqlGuard.Check(sql));

    [Theory]
    [InlineData("DELETE FROM t")]
    [InlineData("SELECT 1; SELECT 2")]
    [InlineData("SELECT 1 /* ; */ ; DROP TABLE t")]
    [InlineData("WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d")]
    [InlineData("SELECT * INTO copy_of_t FROM t")]
    [InlineData("SELECT pg_catalog.pg_sleep(1)")]
    [InlineData("SELECT \"pg_read_file\"('/etc/passwd')")]
    [InlineData("SELECT U&\"\\0070g_sleep\"(1)")]
    [InlineData("SELECT query_to_xml('delete from t', true, true, '')")]
    [InlineData("SELECT dblink_exec('host=evil', 'drop table t')")]
    [InlineData("SELECT 1 /* unterminated")]
    [InlineData("SELECT 'unterminated")]
    [InlineData("EXPLAIN ANALYZE DELETE FROM t")]
    [InlineData("")]
    public void Refuses_everything_that_is_not_one_plain_select(string sql) =>
        Assert.Throws<StructuredQueryException>(() => SqlGuard.Check(sql));

    [Theory]
    [InlineData("Host=db.example.com;Username=u;Password=p;Passfile=/root/.pgpass")]
    [InlineData("Host=db.example.com;Username=u;Password=p;SSL Key=/etc/ssl/private/key.pem")]
    [InlineData("Host=a.example.com,b.example.com;Username=u;Password=p")]
    [InlineData("Host=db.example.com;Username=u")]
    [InlineData("this is not a connection string")]
    public void Refuses_connection_strings_that_read_local_files_name_several_hosts_or_lack_a_password(string connectionString) =>
        Assert.NotNull(ConnectionSettings.Check(connectionString));

    [Fact]
    public void Accepts_azure_database_for_postgresql_with_tls() =>
        Assert.Null(ConnectionSettings.Check("Host=shop.postgres.database.azure.com;Database=shop;Username=memic_ro;Password=p;SSL Mode=Require"));
}
