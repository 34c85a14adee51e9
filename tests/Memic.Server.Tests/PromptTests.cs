using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Memic.Core.Ports;
using Microsoft.Extensions.DependencyInjection;
using static Memic.Server.Tests.Wire;

namespace Memic.Server.Tests;

/// <summary>CONTRACT §8 and §10: prompt versions per environment, the live one read through the data plane.</summary>
public sealed class PromptTests : IClassFixture<MemicServerFactory>
{
    private readonly MemicServerFactory _server;

    public PromptTests(MemicServerFactory server) => _server = server;

    public static TheoryData<string, string, string> InvalidVersions => new()
    {
        { """{"body": "x"}""", "name", "missing" },
        { """{"name": "", "body": "x"}""", "name", "string_too_short" },
        { $$"""{"name": "{{new string('n', 101)}}", "body": "x"}""", "name", "string_too_long" },
        { """{"name": "has space", "body": "x"}""", "name", "string_pattern_mismatch" },
        { """{"name": "..", "body": "x"}""", "name", "value_error" },
        { """{"name": 5, "body": "x"}""", "name", "string_type" },
        { """{"name": "p"}""", "body", "missing" },
        { """{"name": "p", "body": ""}""", "body", "string_too_short" },
        { $$"""{"name": "p", "body": "{{new string('b', 100_001)}}"}""", "body", "string_too_long" },
        { """{"name": "p", "body": ["x"]}""", "body", "string_type" },
        { """{"name": "p", "body": "x", "make_live": "yes"}""", "make_live", "bool_type" },
    };

    public static TheoryData<string, string> InvalidLiveVersions => new()
    {
        { "{}", "missing" },
        { """{"version_number": "1"}""", "int_type" },
        { """{"version_number": 1.5}""", "int_type" },
        { """{"version_number": 0}""", "greater_than_equal" },
    };

    [Fact]
    public async Task New_version_is_live_by_default_and_switching_back_is_served_on_both_surfaces()
    {
        using var admin = _server.AdminClient();
        var (environmentId, key) = await admin.CreateEnvironmentAsync("prompt-switch");
        using var client = _server.DataClient(key);

        var first = await CreateVersionAsync(admin, environmentId, "support.greeting-v_2", "Hello {{ customer }}");
        var second = await CreateVersionAsync(admin, environmentId, "support.greeting-v_2", "Hi {{customer}}, about {{ topic }}");

        Assert.Equal(["body", "created_at", "is_live", "name", "variables", "version_number"], second.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal((1, 2), (first.GetProperty("version_number").GetInt32(), second.GetProperty("version_number").GetInt32()));
        Assert.True(second.GetProperty("is_live").GetBoolean());
        var served = await (await client.GetAsync("/api/v1/prompts/support.greeting-v_2", Ct)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(2, served.GetProperty("version_number").GetInt32());
        Assert.Equal("Hi {{customer}}, about {{ topic }}", served.GetProperty("body").GetString());

        var switched = await (await admin.PutAsJsonAsync($"/api/admin/v1/environments/{environmentId}/prompts/support.greeting-v_2/live", new { version_number = 1 }, Ct))
            .ExpectAsync(HttpStatusCode.OK);

        Assert.Equal(1, switched.GetProperty("version_number").GetInt32());
        Assert.True(switched.GetProperty("is_live").GetBoolean());
        Assert.Equal("Hello {{ customer }}", switched.GetProperty("body").GetString());
        var docs = await (await client.GetAsync("/api/v1/prompts/support.greeting-v_2", Ct)).ExpectAsync(HttpStatusCode.OK);
        var sdk = await (await client.GetAsync("/api/v1/sdk/prompts/support.greeting-v_2", Ct)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(docs.GetRawText(), sdk.GetRawText());
        Assert.Equal(["body", "name", "updated_at", "variables", "version_number"], docs.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal("support.greeting-v_2", docs.GetProperty("name").GetString());
        Assert.Equal(1, docs.GetProperty("version_number").GetInt32());
        Assert.Equal("Hello {{ customer }}", docs.GetProperty("body").GetString());
        Assert.Equal(["customer"], Strings(docs.GetProperty("variables")));
        Assert.True(docs.GetProperty("updated_at").GetDateTimeOffset() >= second.GetProperty("created_at").GetDateTimeOffset());
        var listed = Assert.Single((await ListAsync(admin, environmentId)).EnumerateArray());
        Assert.Equal(1, listed.GetProperty("live_version").GetInt32());
        Assert.Equal([true, false], listed.GetProperty("versions").EnumerateArray().Select(v => v.GetProperty("is_live").GetBoolean()));
    }

    [Fact]
    public async Task Version_created_with_make_live_false_leaves_the_live_version_in_place()
    {
        using var admin = _server.AdminClient();
        var (environmentId, key) = await admin.CreateEnvironmentAsync("prompt-draft");
        using var client = _server.DataClient(key);
        await CreateVersionAsync(admin, environmentId, "answer", "Live body");

        var draft = await CreateVersionAsync(admin, environmentId, "answer", "Draft body", makeLive: false);

        Assert.Equal(2, draft.GetProperty("version_number").GetInt32());
        Assert.False(draft.GetProperty("is_live").GetBoolean());
        var served = await (await client.GetAsync("/api/v1/sdk/prompts/answer", Ct)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(1, served.GetProperty("version_number").GetInt32());
        Assert.Equal("Live body", served.GetProperty("body").GetString());
        var listed = Assert.Single((await ListAsync(admin, environmentId)).EnumerateArray());
        Assert.Equal(["live_version", "name", "versions"], listed.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(1, listed.GetProperty("live_version").GetInt32());
        var versions = listed.GetProperty("versions").EnumerateArray().ToList();
        Assert.Equal(["body", "created_at", "is_live", "variables", "version_number"], versions[1].EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal([1, 2], versions.Select(v => v.GetProperty("version_number").GetInt32()));
        Assert.Equal("Draft body", versions[1].GetProperty("body").GetString());
    }

    [Fact]
    public async Task Prompt_whose_only_version_was_never_made_live_is_404_prompt_not_found()
    {
        using var admin = _server.AdminClient();
        var (environmentId, key) = await admin.CreateEnvironmentAsync("prompt-never-live");
        await CreateVersionAsync(admin, environmentId, "pending", "Not yet", makeLive: false);

        await (await _server.DataClient(key).GetAsync("/api/v1/prompts/pending", Ct)).ExpectErrorAsync(HttpStatusCode.NotFound, "prompt_not_found");
        var listed = Assert.Single((await ListAsync(admin, environmentId)).EnumerateArray());
        Assert.Equal(JsonValueKind.Null, listed.GetProperty("live_version").ValueKind);
    }

    [Fact]
    public async Task Variables_are_unique_names_in_order_of_first_appearance()
    {
        using var admin = _server.AdminClient();
        var (environmentId, key) = await admin.CreateEnvironmentAsync("prompt-variables");

        var created = await CreateVersionAsync(admin, environmentId, "vars", "{{ a }} {{b}} {{a}} {{  c\t}} { {d} } {{e f}}");

        Assert.Equal(["a", "b", "c"], Strings(created.GetProperty("variables")));
        var served = await (await _server.DataClient(key).GetAsync("/api/v1/prompts/vars", Ct)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(["a", "b", "c"], Strings(served.GetProperty("variables")));
        var listed = Assert.Single((await ListAsync(admin, environmentId)).EnumerateArray());
        Assert.Equal(["a", "b", "c"], Strings(listed.GetProperty("versions")[0].GetProperty("variables")));
    }

    [Fact]
    public async Task Same_name_in_two_environments_is_independent_and_no_key_reads_another_environment_prompt()
    {
        using var admin = _server.AdminClient();
        var a = await admin.CreateEnvironmentAsync("prompt-iso-a");
        var b = await admin.CreateEnvironmentAsync("prompt-iso-b");
        var c = await admin.CreateEnvironmentAsync("prompt-iso-c");
        await CreateVersionAsync(admin, a.EnvironmentId, "greeting", "A one");
        await CreateVersionAsync(admin, a.EnvironmentId, "greeting", "A two");
        await CreateVersionAsync(admin, a.EnvironmentId, "only-in-a", "A private");

        var inB = await CreateVersionAsync(admin, b.EnvironmentId, "greeting", "B one");

        Assert.Equal(1, inB.GetProperty("version_number").GetInt32());
        var servedA = await (await _server.DataClient(a.ApiKey).GetAsync("/api/v1/prompts/greeting", Ct)).ExpectAsync(HttpStatusCode.OK);
        var servedB = await (await _server.DataClient(b.ApiKey).GetAsync("/api/v1/prompts/greeting", Ct)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(("A two", 2), (servedA.GetProperty("body").GetString(), servedA.GetProperty("version_number").GetInt32()));
        Assert.Equal(("B one", 1), (servedB.GetProperty("body").GetString(), servedB.GetProperty("version_number").GetInt32()));
        await (await _server.DataClient(b.ApiKey).GetAsync("/api/v1/prompts/only-in-a", Ct)).ExpectErrorAsync(HttpStatusCode.NotFound, "prompt_not_found");
        await (await _server.DataClient(c.ApiKey).GetAsync("/api/v1/sdk/prompts/greeting", Ct)).ExpectErrorAsync(HttpStatusCode.NotFound, "prompt_not_found");
        Assert.Equal(["greeting"], (await ListAsync(admin, b.EnvironmentId)).EnumerateArray().Select(p => p.GetProperty("name").GetString()));
        await (await admin.PutAsJsonAsync($"/api/admin/v1/environments/{b.EnvironmentId}/prompts/greeting/live", new { version_number = 2 }, Ct))
            .ExpectErrorAsync(HttpStatusCode.NotFound, "prompt_not_found");
        await (await admin.DeleteAsync($"/api/admin/v1/environments/{b.EnvironmentId}/prompts/only-in-a", Ct)).ExpectErrorAsync(HttpStatusCode.NotFound, "prompt_not_found");
        await (await _server.DataClient(a.ApiKey).GetAsync("/api/v1/prompts/only-in-a", Ct)).ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Unknown_and_deleted_prompts_are_404_prompt_not_found()
    {
        using var admin = _server.AdminClient();
        var (environmentId, key) = await admin.CreateEnvironmentAsync("prompt-delete");
        using var client = _server.DataClient(key);
        await CreateVersionAsync(admin, environmentId, "doomed", "one");
        await CreateVersionAsync(admin, environmentId, "doomed", "two");
        await CreateVersionAsync(admin, environmentId, "kept", "stays");
        await (await client.GetAsync("/api/v1/prompts/never-created", Ct)).ExpectErrorAsync(HttpStatusCode.NotFound, "prompt_not_found");

        await (await admin.DeleteAsync($"/api/admin/v1/environments/{environmentId}/prompts/doomed", Ct)).ExpectAsync(HttpStatusCode.NoContent);

        await (await client.GetAsync("/api/v1/prompts/doomed", Ct)).ExpectErrorAsync(HttpStatusCode.NotFound, "prompt_not_found");
        await (await client.GetAsync("/api/v1/sdk/prompts/doomed", Ct)).ExpectErrorAsync(HttpStatusCode.NotFound, "prompt_not_found");
        await (await admin.DeleteAsync($"/api/admin/v1/environments/{environmentId}/prompts/doomed", Ct)).ExpectErrorAsync(HttpStatusCode.NotFound, "prompt_not_found");
        await (await admin.PutAsJsonAsync($"/api/admin/v1/environments/{environmentId}/prompts/doomed/live", new { version_number = 1 }, Ct))
            .ExpectErrorAsync(HttpStatusCode.NotFound, "prompt_not_found");
        Assert.Equal(["kept"], (await ListAsync(admin, environmentId)).EnumerateArray().Select(p => p.GetProperty("name").GetString()));
        await (await client.GetAsync("/api/v1/prompts/kept", Ct)).ExpectAsync(HttpStatusCode.OK);
        var recreated = await CreateVersionAsync(admin, environmentId, "doomed", "fresh");
        Assert.Equal(1, recreated.GetProperty("version_number").GetInt32());
    }

    [Fact]
    public async Task Unknown_version_is_404_prompt_not_found_and_the_live_version_stays()
    {
        using var admin = _server.AdminClient();
        var (environmentId, key) = await admin.CreateEnvironmentAsync("prompt-bad-version");
        await CreateVersionAsync(admin, environmentId, "steady", "v1");

        await (await admin.PutAsJsonAsync($"/api/admin/v1/environments/{environmentId}/prompts/steady/live", new { version_number = 7 }, Ct))
            .ExpectErrorAsync(HttpStatusCode.NotFound, "prompt_not_found");

        var served = await (await _server.DataClient(key).GetAsync("/api/v1/prompts/steady", Ct)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(1, served.GetProperty("version_number").GetInt32());
    }

    [Fact]
    public async Task Unknown_environment_is_404_not_found_on_every_admin_prompt_route()
    {
        using var admin = _server.AdminClient();
        var unknown = $"/api/admin/v1/environments/{Guid.NewGuid()}/prompts";

        await (await admin.PostAsJsonAsync(unknown, new { name = "p", body = "x" }, Ct)).ExpectErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await admin.GetAsync(unknown, Ct)).ExpectErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await admin.PutAsJsonAsync(unknown + "/p/live", new { version_number = 1 }, Ct)).ExpectErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await admin.DeleteAsync(unknown + "/p", Ct)).ExpectErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await admin.GetAsync("/api/admin/v1/environments/not-a-uuid/prompts", Ct)).ExpectErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Admin_key_is_refused_on_the_data_plane_prompt_route()
    {
        using var admin = _server.AdminClient();
        var (environmentId, _) = await admin.CreateEnvironmentAsync("prompt-admin-key");
        await CreateVersionAsync(admin, environmentId, "secret", "x");
        using var client = _server.DataClient(_server.AdminKey);

        await (await client.GetAsync("/api/v1/prompts/secret", Ct)).ExpectErrorAsync(HttpStatusCode.Unauthorized, "invalid_api_key");
        await (await client.GetAsync("/api/v1/sdk/prompts/secret", Ct)).ExpectErrorAsync(HttpStatusCode.Unauthorized, "invalid_api_key");
    }

    [Fact]
    public async Task Environment_key_is_refused_on_admin_prompt_routes()
    {
        using var admin = _server.AdminClient();
        var (environmentId, key) = await admin.CreateEnvironmentAsync("prompt-env-key");
        await CreateVersionAsync(admin, environmentId, "guarded", "x");
        using var client = _server.CreateClient();
        client.DefaultRequestHeaders.Add("X-Admin-Key", key);
        client.DefaultRequestHeaders.Add("X-API-Key", key);
        var prompts = $"/api/admin/v1/environments/{environmentId}/prompts";

        await (await client.PostAsJsonAsync(prompts, new { name = "guarded", body = "y" }, Ct)).ExpectErrorAsync(HttpStatusCode.Unauthorized, "invalid_api_key");
        await (await client.GetAsync(prompts, Ct)).ExpectErrorAsync(HttpStatusCode.Unauthorized, "invalid_api_key");
        await (await client.PutAsJsonAsync(prompts + "/guarded/live", new { version_number = 1 }, Ct)).ExpectErrorAsync(HttpStatusCode.Unauthorized, "invalid_api_key");
        await (await client.DeleteAsync(prompts + "/guarded", Ct)).ExpectErrorAsync(HttpStatusCode.Unauthorized, "invalid_api_key");
        var listed = Assert.Single((await ListAsync(admin, environmentId)).EnumerateArray());
        Assert.Equal(1, listed.GetProperty("versions").GetArrayLength());
    }

    [Theory]
    [MemberData(nameof(InvalidVersions))]
    public async Task Invalid_prompt_version_is_422_with_a_located_detail(string body, string field, string type)
    {
        using var admin = _server.AdminClient();
        var (environmentId, _) = await admin.CreateEnvironmentAsync("prompt-invalid-" + field.Replace('_', '-') + "-" + type.Replace('_', '-'));

        var detail = await (await admin.PostAsync($"/api/admin/v1/environments/{environmentId}/prompts", Json(body), Ct))
            .ExpectErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");

        var item = Assert.Single(detail.EnumerateArray());
        Assert.Equal(["body", field], Strings(item.GetProperty("loc")));
        Assert.Equal(type, item.GetProperty("type").GetString());
        Assert.Empty((await ListAsync(admin, environmentId)).EnumerateArray());
    }

    [Theory]
    [MemberData(nameof(InvalidLiveVersions))]
    public async Task Invalid_live_version_is_422_with_a_located_detail(string body, string type)
    {
        using var admin = _server.AdminClient();
        var (environmentId, _) = await admin.CreateEnvironmentAsync("prompt-invalid-live-" + Guid.NewGuid().ToString("N")[..12]);
        await CreateVersionAsync(admin, environmentId, "p", "x");

        var detail = await (await admin.PutAsync($"/api/admin/v1/environments/{environmentId}/prompts/p/live", Json(body), Ct))
            .ExpectErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");

        var item = Assert.Single(detail.EnumerateArray());
        Assert.Equal(["body", "version_number"], Strings(item.GetProperty("loc")));
        Assert.Equal(type, item.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Body_of_exactly_100000_characters_is_accepted()
    {
        using var admin = _server.AdminClient();
        var (environmentId, key) = await admin.CreateEnvironmentAsync("prompt-long-body");
        var body = new string('x', 100_000);

        await CreateVersionAsync(admin, environmentId, "long", body);

        var served = await (await _server.DataClient(key).GetAsync("/api/v1/prompts/long", Ct)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(body, served.GetProperty("body").GetString());
    }

    [Fact]
    public async Task Deleting_an_environment_removes_its_prompts_and_leaves_others()
    {
        using var admin = _server.AdminClient();
        var doomed = await admin.CreateEnvironmentAsync("prompt-env-doomed");
        var kept = await admin.CreateEnvironmentAsync("prompt-env-kept");
        await CreateVersionAsync(admin, doomed.EnvironmentId, "shared", "doomed one");
        await CreateVersionAsync(admin, doomed.EnvironmentId, "shared", "doomed two", makeLive: false);
        await CreateVersionAsync(admin, kept.EnvironmentId, "shared", "kept one");

        await (await admin.DeleteAsync($"/api/admin/v1/environments/{doomed.EnvironmentId}", Ct)).ExpectAsync(HttpStatusCode.NoContent);

        var catalog = _server.Services.GetRequiredService<IPromptCatalog>();
        Assert.Empty(await catalog.ListPromptVersionsAsync(doomed.EnvironmentId, Ct));
        await (await admin.GetAsync($"/api/admin/v1/environments/{doomed.EnvironmentId}/prompts", Ct)).ExpectErrorAsync(HttpStatusCode.NotFound, "not_found");
        Assert.Single(await catalog.ListPromptVersionsAsync(kept.EnvironmentId, Ct));
        var served = await (await _server.DataClient(kept.ApiKey).GetAsync("/api/v1/prompts/shared", Ct)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("kept one", served.GetProperty("body").GetString());
    }

    [Fact]
    public async Task Concurrent_creates_of_one_name_get_distinct_consecutive_version_numbers_and_one_live_version()
    {
        const int writers = 16;
        using var admin = _server.AdminClient();
        var (environmentId, key) = await admin.CreateEnvironmentAsync("prompt-concurrent");

        var created = await Task.WhenAll(Enumerable.Range(0, writers)
            .Select(i => CreateVersionAsync(admin, environmentId, "contended", $"body {i}")));

        Assert.Equal(Enumerable.Range(1, writers), created.Select(v => v.GetProperty("version_number").GetInt32()).Order());
        var listed = Assert.Single((await ListAsync(admin, environmentId)).EnumerateArray());
        var versions = listed.GetProperty("versions").EnumerateArray().ToList();
        Assert.Equal(writers, versions.Count);
        Assert.Equal(writers, Assert.Single(versions, v => v.GetProperty("is_live").GetBoolean()).GetProperty("version_number").GetInt32());
        Assert.Equal(writers, listed.GetProperty("live_version").GetInt32());
        var served = await (await _server.DataClient(key).GetAsync("/api/v1/prompts/contended", Ct)).ExpectAsync(HttpStatusCode.OK);
        var last = created.Single(v => v.GetProperty("version_number").GetInt32() == writers);
        Assert.Equal(last.GetProperty("body").GetString(), served.GetProperty("body").GetString());
    }

    private static async Task<JsonElement> CreateVersionAsync(HttpClient admin, Guid environmentId, string name, string body, bool? makeLive = null)
    {
        var path = $"/api/admin/v1/environments/{environmentId}/prompts";
        var response = makeLive is { } live
            ? await admin.PostAsJsonAsync(path, new { name, body, make_live = live }, Ct)
            : await admin.PostAsJsonAsync(path, new { name, body }, Ct);
        return await response.ExpectAsync(HttpStatusCode.Created);
    }

    private static async Task<JsonElement> ListAsync(HttpClient admin, Guid environmentId) =>
        await (await admin.GetAsync($"/api/admin/v1/environments/{environmentId}/prompts", Ct)).ExpectAsync(HttpStatusCode.OK);

    private static IEnumerable<string?> Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString());
}
