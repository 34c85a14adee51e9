using System.Net;
using static Memic.Server.Tests.Wire;

namespace Memic.Server.Tests;

/// <summary>
/// The endpoint filters run before the request record is bound: a caller without a valid key learns nothing about
/// its body, and the key's environment is who the handler serves.
/// </summary>
public sealed class EndpointFilterOrderTests : IClassFixture<MemicServerFactory>
{
    private readonly MemicServerFactory _server;

    public EndpointFilterOrderTests(MemicServerFactory server) => _server = server;

    [Theory]
    [InlineData("""{"top_k": "ten"}""")]
    [InlineData("""{"query": """)]
    public async Task A_data_plane_request_without_a_key_is_401_whatever_its_body(string body)
    {
        using var client = _server.CreateClient();

        await (await client.PostAsync("/api/v1/search", Json(body), Ct)).ExpectErrorAsync(HttpStatusCode.Unauthorized, "invalid_api_key");
    }

    [Fact]
    public async Task An_admin_request_with_an_environment_key_is_401_whatever_its_body()
    {
        using var admin = _server.AdminClient();
        var (_, key) = await admin.CreateEnvironmentAsync("filters-" + Guid.NewGuid().ToString("N")[..12]);
        using var client = _server.CreateClient();
        client.DefaultRequestHeaders.Add("X-Admin-Key", key);

        await (await client.PostAsync("/api/admin/v1/environments", Json("""{"slug": 5}"""), Ct)).ExpectErrorAsync(HttpStatusCode.Unauthorized, "invalid_api_key");
    }
}
