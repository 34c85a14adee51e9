using System.Net;
using System.Net.Http.Json;
using static Memic.Server.Tests.Wire;

namespace Memic.Server.Tests.Connectors;

/// <summary>What a deployment's settings decide: whether private addresses are reachable, and whether there is a model to write SQL.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ConnectorSettingsTests(PostgresCluster db)
{
    [Fact]
    public async Task A_hosted_deployment_refuses_connectors_to_loopback_and_stores_nothing()
    {
        await using var server = new MemicServerFactory { Settings = new Dictionary<string, string> { ["Memic:Connectors:AllowPrivateNetworks"] = "false" } };
        using var admin = server.AdminClient();
        var (environmentId, _) = await admin.CreateEnvironmentAsync("hosted");

        foreach (var host in new[] { "127.0.0.1", "localhost", "[::1]", "::ffff:127.0.0.1" })
        {
            var response = await admin.PostAsJsonAsync(
                $"/api/admin/v1/environments/{environmentId}/connectors",
                new { name = "local", kind = "postgresql", connection_string = db.ConnectionString(PostgresCluster.ReadOnlyUser, db.ReadOnlyPassword, host: host) },
                Ct);

            var detail = await response.ExpectErrorAsync(HttpStatusCode.UnprocessableEntity, "connector_unreachable");
            Assert.Contains("AllowPrivateNetworks", detail.GetString(), StringComparison.Ordinal);
        }

        var stored = await (await admin.GetAsync($"/api/admin/v1/environments/{environmentId}/connectors", Ct)).ExpectAsync(HttpStatusCode.OK);
        Assert.Empty(stored.EnumerateArray());
    }

    [Fact]
    public async Task Without_a_chat_model_search_stays_semantic_and_forcing_structured_is_422()
    {
        await using var server = new MemicServerFactory();
        using var admin = server.AdminClient();
        var (environmentId, key) = await admin.CreateEnvironmentAsync("no-model");
        using var client = server.DataClient(key);
        await (await admin.PostAsJsonAsync($"/api/admin/v1/environments/{environmentId}/connectors",
            new { name = "shop", kind = "postgresql", connection_string = db.ReadOnlyConnectionString, tables = new[] { "public.customers" } }, Ct))
            .ExpectAsync(HttpStatusCode.Created);

        var automatic = await (await client.PostAsJsonAsync("/api/v1/search", new { query = "How many customers?" }, Ct)).ExpectAsync(HttpStatusCode.OK);
        var forced = await client.PostAsJsonAsync("/api/v1/search", new { query = "How many customers?", force_route = "structured" }, Ct);

        Assert.Equal("semantic", automatic.GetProperty("routing").GetProperty("route").GetString());
        Assert.Contains("chat model", automatic.GetProperty("routing").GetProperty("reasoning").GetString(), StringComparison.Ordinal);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, automatic.GetProperty("results").GetProperty("structured").ValueKind);
        await forced.ExpectErrorAsync(HttpStatusCode.UnprocessableEntity, "structured_search_unavailable");
    }
}
