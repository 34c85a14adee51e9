using System.Net;
using System.Net.Http.Json;
using static Memic.Server.Tests.Wire;

namespace Memic.Server.Tests;

/// <summary>Bad input gets the documented status and code, never a 500 (CONTRACT §10, §11).</summary>
public sealed class AdminApiValidationTests : IClassFixture<MemicServerFactory>
{
    private readonly MemicServerFactory _server;

    public AdminApiValidationTests(MemicServerFactory server) => _server = server;

    [Theory]
    [InlineData("{\"slug\": ")]
    [InlineData("{slug: 'x'}")]
    [InlineData("not json")]
    public async Task Malformed_json_is_400_bad_request(string body)
    {
        using var admin = _server.AdminClient();

        await (await admin.PostAsync("/api/admin/v1/environments", Json(body), Ct)).ExpectErrorAsync(HttpStatusCode.BadRequest, "bad_request");
    }

    [Theory]
    [InlineData("{\"slug\": 123}", "slug", "string_type")]
    [InlineData("{\"slug\": [\"a\"]}", "slug", "string_type")]
    [InlineData("{}", "slug", "missing")]
    [InlineData("{\"slug\": \"\"}", "slug", "string_too_short")]
    [InlineData("{\"slug\": \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}", "slug", "string_too_long")]
    [InlineData("{\"slug\": \"Has_Upper\"}", "slug", "string_pattern_mismatch")]
    [InlineData("{\"slug\": \"trailing-newline\\n\"}", "slug", "string_pattern_mismatch")]
    [InlineData("{\"slug\": \"ok\", \"project_id\": \"nope\"}", "project_id", "uuid_parsing")]
    [InlineData("{\"slug\": \"ok\", \"name\": 5}", "name", "string_type")]
    public async Task Invalid_environment_fields_are_422_with_a_located_detail(string body, string field, string type)
    {
        using var admin = _server.AdminClient();

        var detail = await (await admin.PostAsync("/api/admin/v1/environments", Json(body), Ct)).ExpectErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");

        var item = Assert.Single(detail.EnumerateArray());
        Assert.Equal(["body", field], item.GetProperty("loc").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(type, item.GetProperty("type").GetString());
        Assert.False(string.IsNullOrEmpty(item.GetProperty("msg").GetString()));
    }

    [Fact]
    public async Task Every_invalid_field_is_reported_at_once()
    {
        using var admin = _server.AdminClient();

        var detail = await (await admin.PostAsync("/api/admin/v1/environments", Json("{\"slug\": 1, \"project_id\": 2}"), Ct))
            .ExpectErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");

        Assert.Equal(2, detail.GetArrayLength());
    }

    [Fact]
    public async Task Json_that_is_not_an_object_is_422()
    {
        using var admin = _server.AdminClient();

        await (await admin.PostAsync("/api/admin/v1/organizations", Json("[1, 2]"), Ct)).ExpectErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
    }

    [Fact]
    public async Task Duplicate_slug_in_a_project_is_409_conflict()
    {
        using var admin = _server.AdminClient();
        await admin.CreateEnvironmentAsync("dup");

        await (await admin.PostAsJsonAsync("/api/admin/v1/environments", new { slug = "dup" }, Ct)).ExpectErrorAsync(HttpStatusCode.Conflict, "conflict");
    }

    [Fact]
    public async Task Same_slug_in_another_project_is_allowed()
    {
        using var admin = _server.AdminClient();
        await admin.CreateEnvironmentAsync("shared-slug");
        var project = await (await admin.PostAsJsonAsync("/api/admin/v1/projects", new { name = "Second" }, Ct)).ExpectAsync(HttpStatusCode.Created);

        var created = await (await admin.PostAsJsonAsync("/api/admin/v1/environments", new { slug = "shared-slug", project_id = project.GetProperty("id").GetGuid() }, Ct))
            .ExpectAsync(HttpStatusCode.Created);

        Assert.Equal("ready", created.GetProperty("environment").GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("GET", "/api/admin/v1/environments/3f0e1a9e-0000-4000-8000-000000000000")]
    [InlineData("GET", "/api/admin/v1/environments/not-a-uuid")]
    [InlineData("DELETE", "/api/admin/v1/environments/3f0e1a9e-0000-4000-8000-000000000000")]
    [InlineData("GET", "/api/admin/v1/environments/3f0e1a9e-0000-4000-8000-000000000000/keys")]
    [InlineData("POST", "/api/admin/v1/environments/3f0e1a9e-0000-4000-8000-000000000000/keys")]
    [InlineData("DELETE", "/api/admin/v1/keys/3f0e1a9e-0000-4000-8000-000000000000")]
    [InlineData("DELETE", "/api/admin/v1/keys/%27%20or%201%3D1")]
    public async Task Unknown_ids_are_404_not_found(string method, string path)
    {
        using var admin = _server.AdminClient();

        await (await admin.SendAsync(new HttpRequestMessage(new HttpMethod(method), path), Ct)).ExpectErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Unknown_project_or_organization_is_404()
    {
        using var admin = _server.AdminClient();

        await (await admin.PostAsJsonAsync("/api/admin/v1/environments", new { slug = "orphan", project_id = Guid.NewGuid() }, Ct)).ExpectErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await admin.PostAsJsonAsync("/api/admin/v1/projects", new { name = "p", organization_id = Guid.NewGuid() }, Ct)).ExpectErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Theory]
    [InlineData("/api/admin/v1/organizations", "{}")]
    [InlineData("/api/admin/v1/organizations", "{\"name\": \"\"}")]
    [InlineData("/api/admin/v1/projects", "{\"name\": true}")]
    public async Task Organization_and_project_names_are_validated(string path, string body)
    {
        using var admin = _server.AdminClient();

        await (await admin.PostAsync(path, Json(body), Ct)).ExpectErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
    }

    [Fact]
    public async Task Created_shapes_match_the_contract()
    {
        using var admin = _server.AdminClient();

        var organization = await (await admin.PostAsJsonAsync("/api/admin/v1/organizations", new { name = "Initech" }, Ct)).ExpectAsync(HttpStatusCode.Created);
        var project = await (await admin.PostAsJsonAsync("/api/admin/v1/projects", new { name = "Docs", organization_id = organization.GetProperty("id").GetGuid() }, Ct)).ExpectAsync(HttpStatusCode.Created);
        var environment = await (await admin.PostAsJsonAsync("/api/admin/v1/environments", new { slug = "shapes", name = "Shapes", project_id = project.GetProperty("id").GetGuid() }, Ct)).ExpectAsync(HttpStatusCode.Created);
        var environmentId = environment.GetProperty("environment").GetProperty("id").GetGuid();
        var key = await (await admin.PostAsync($"/api/admin/v1/environments/{environmentId}/keys", null, Ct)).ExpectAsync(HttpStatusCode.Created);
        var fetched = await (await admin.GetAsync($"/api/admin/v1/environments/{environmentId}", Ct)).ExpectAsync(HttpStatusCode.OK);
        var listed = await (await admin.GetAsync("/api/admin/v1/environments", Ct)).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal(["created_at", "id", "name"], Names(organization));
        Assert.Equal(["created_at", "id", "is_active", "name", "organization_id", "updated_at"], Names(project));
        Assert.Equal(["api_key", "environment"], Names(environment));
        Assert.Equal(["created_at", "expires_at", "id", "name", "organization_id", "project_id", "slug", "status"], Names(fetched));
        Assert.Equal(["api_key", "created_at", "id", "name", "prefix"], Names(key));
        Assert.Matches("^mk_live_[A-Za-z0-9_-]{43}$", key.GetProperty("api_key").GetString());
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$", fetched.GetProperty("created_at").GetString());
        Assert.Equal("Shapes", fetched.GetProperty("name").GetString());
        Assert.Contains(listed.EnumerateArray(), e => e.GetProperty("id").GetGuid() == environmentId);
    }

    [Fact]
    public async Task Unknown_route_and_wrong_method_get_the_envelope()
    {
        using var admin = _server.AdminClient();

        await (await admin.GetAsync("/api/v1/nothing-here", Ct)).ExpectErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await admin.PutAsync("/api/admin/v1/environments", Json("{}"), Ct)).ExpectErrorAsync(HttpStatusCode.MethodNotAllowed, "bad_request");
    }

    [Fact]
    public async Task Caller_request_id_is_echoed()
    {
        using var client = _server.CreateClient();
        client.DefaultRequestHeaders.Add("X-Request-Id", "trace-123");

        var response = await client.GetAsync("/api/v1/me", Ct);

        Assert.Equal("trace-123", response.Headers.GetValues("X-Request-Id").Single());
        Assert.Equal("trace-123", (await response.ReadJsonAsync()).GetProperty("request_id").GetString());
    }

    private static IEnumerable<string> Names(System.Text.Json.JsonElement element) => element.EnumerateObject().Select(p => p.Name).Order();

    [Fact]
    public async Task A_prompt_name_with_a_trailing_newline_is_422_and_reading_it_is_404()
    {
        using var admin = _server.AdminClient();
        var (environmentId, key) = await admin.CreateEnvironmentAsync("prompt-newline");
        using var client = _server.DataClient(key);

        var detail = await (await admin.PostAsync($"/api/admin/v1/environments/{environmentId}/prompts", Json("{\"name\": \"greeting\\n\", \"body\": \"Hi\"}"), Ct))
            .ExpectErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
        var read = await client.GetAsync("/api/v1/prompts/greeting%0A", Ct);

        Assert.Equal("string_pattern_mismatch", Assert.Single(detail.EnumerateArray()).GetProperty("type").GetString());
        await read.ExpectErrorAsync(HttpStatusCode.NotFound, "prompt_not_found");
    }
}
