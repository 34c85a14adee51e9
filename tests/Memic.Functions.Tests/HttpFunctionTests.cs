using System.Reflection;
using System.Text.Json;
using Memic.Core.Files;
using Memic.Functions.Http;
using Memic.Http.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Memic.Functions.Tests;

/// <summary>The HTTP functions run the shared routes: same authentication, handlers, route values and error envelopes.</summary>
public sealed class HttpFunctionTests(FunctionsTestHost host) : IClassFixture<FunctionsTestHost>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Me_with_a_real_key_answers_the_six_fields_of_the_keys_environment()
    {
        var functions = host.Create<AccountFunctions>();

        var reply = await FunctionsTestHost.InvokeAsync(host.Request("GET", "/api/v1/me", apiKey: host.ProductionKey), functions.GetMe);

        Assert.Equal(200, reply.Status);
        Assert.Equal(
            ["environment_id", "environment_slug", "organization_id", "organization_name", "project_id", "project_name"],
            reply.Body.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(host.Production.Environment.Id, reply.Body.GetProperty("environment_id").GetGuid());
        Assert.Equal("production", reply.Body.GetProperty("environment_slug").GetString());
        Assert.False(string.IsNullOrEmpty(reply.RequestId));
    }

    [Fact]
    public async Task The_sdk_surface_answers_like_the_docs_surface()
    {
        var functions = host.Create<AccountFunctions>();

        var reply = await FunctionsTestHost.InvokeAsync(host.Request("GET", "/api/v1/sdk/me", apiKey: host.OtherKey), functions.SdkGetMe);

        Assert.Equal(200, reply.Status);
        Assert.Equal("other", reply.Body.GetProperty("environment_slug").GetString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("mk_live_not-a-key-anyone-was-given")]
    [InlineData("sk-not-even-ours")]
    public async Task A_missing_or_bad_key_is_a_401_envelope_with_the_request_id(string? key)
    {
        var functions = host.Create<AccountFunctions>();

        var reply = await FunctionsTestHost.InvokeAsync(host.Request("GET", "/api/v1/me", apiKey: key), functions.GetMe);

        Assert.Equal(401, reply.Status);
        Assert.Equal("invalid_api_key", reply.Body.GetProperty("code").GetString());
        Assert.Equal(JsonValueKind.String, reply.Body.GetProperty("detail").ValueKind);
        Assert.Equal(reply.RequestId, reply.Body.GetProperty("request_id").GetString());
        Assert.False(string.IsNullOrEmpty(reply.RequestId));
    }

    [Fact]
    public async Task The_admin_key_is_refused_on_the_data_plane_and_an_environment_key_on_the_admin_api()
    {
        var account = host.Create<AccountFunctions>();
        var admin = host.Create<AdminFunctions>();

        var dataPlane = await FunctionsTestHost.InvokeAsync(host.Request("GET", "/api/v1/me", apiKey: host.AdminKey), account.GetMe);
        var adminApi = await FunctionsTestHost.InvokeAsync(host.Request("GET", "/api/admin/v1/environments", adminKey: host.ProductionKey), admin.AdminListEnvironments);
        var adminWithAdminKey = await FunctionsTestHost.InvokeAsync(host.Request("GET", "/api/admin/v1/environments", adminKey: host.AdminKey), admin.AdminListEnvironments);

        Assert.Equal(401, dataPlane.Status);
        Assert.Equal(401, adminApi.Status);
        Assert.Equal(200, adminWithAdminKey.Status);
        Assert.Contains(adminWithAdminKey.Body.EnumerateArray(), e => e.GetProperty("slug").GetString() == "other");
    }

    [Fact]
    public async Task A_file_route_reads_its_id_from_the_path_and_hides_another_environments_file()
    {
        var file = await InitFileAsync(host.Other.Environment.Id, "other-notes.txt");
        var functions = host.Create<FileFunctions>();

        var own = await FunctionsTestHost.InvokeAsync(host.Request("GET", $"/api/v1/files/{file.Id}", apiKey: host.OtherKey), functions.GetFile);
        var foreign = await FunctionsTestHost.InvokeAsync(host.Request("GET", $"/api/v1/sdk/files/{file.Id}", apiKey: host.ProductionKey), functions.SdkGetFile);

        Assert.Equal(200, own.Status);
        Assert.Equal(file.Id, own.Body.GetProperty("id").GetGuid());
        Assert.Equal("uploading", own.Body.GetProperty("status").GetString());
        Assert.Equal(404, foreign.Status);
        Assert.Equal("file_not_found", foreign.Body.GetProperty("code").GetString());
        Assert.Equal(foreign.RequestId, foreign.Body.GetProperty("request_id").GetString());
    }

    [Fact]
    public async Task Admin_routes_read_their_route_values_from_the_path()
    {
        var functions = host.Create<AdminFunctions>();

        var reply = await FunctionsTestHost.InvokeAsync(
            host.Request("GET", $"/api/admin/v1/environments/{host.Other.Environment.Id}", adminKey: host.AdminKey), functions.AdminGetEnvironment);

        Assert.Equal(200, reply.Status);
        Assert.Equal(host.Other.Environment.Id, reply.Body.GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task Health_answers_ok_without_a_key()
    {
        var reply = await FunctionsTestHost.InvokeAsync(host.Request("GET", "/health"), host.Create<HealthFunctions>().Health);

        Assert.Equal(200, reply.Status);
        Assert.Equal("ok", reply.Body.GetProperty("status").GetString());
    }

    [Fact]
    public async Task The_openapi_document_is_the_checked_in_one_without_a_key()
    {
        var checkedIn = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(BuildOutput.RepositoryRoot, "docs", "openapi.json"), Ct)).RootElement;

        var reply = await FunctionsTestHost.InvokeAsync(host.Request("GET", "/openapi/v1.json"), host.Create<HealthFunctions>().OpenApiDocument);

        Assert.Equal(200, reply.Status);
        Assert.True(JsonElement.DeepEquals(checkedIn, reply.Body), "The Functions host serves another document than docs/openapi.json.");
    }

    [Fact]
    public async Task A_lone_surrogate_in_json_is_a_422_validation_error_envelope()
    {
        var functions = host.Create<SearchFunctions>();
        var body = System.Text.Encoding.UTF8.GetBytes("""{"query": "birds \ud800"}""");

        var reply = await FunctionsTestHost.InvokeAsync(host.Request("POST", "/api/v1/search", apiKey: host.ProductionKey, bytes: body), functions.Search);

        Assert.Equal(422, reply.Status);
        Assert.Equal("validation_error", reply.Body.GetProperty("code").GetString());
        Assert.Equal(["body", "query"], reply.Body.GetProperty("detail")[0].GetProperty("loc").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(reply.RequestId, reply.Body.GetProperty("request_id").GetString());
    }

    [Fact]
    public async Task A_truncated_multipart_upload_is_a_400_bad_request_envelope()
    {
        var functions = host.Create<FileFunctions>();
        var body = System.Text.Encoding.UTF8.GetBytes("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nhello wo");

        var reply = await FunctionsTestHost.InvokeAsync(
            host.Request("POST", "/api/v1/files", apiKey: host.ProductionKey, bytes: body, contentType: "multipart/form-data; boundary=b"), functions.UploadFile);

        Assert.Equal(400, reply.Status);
        Assert.Equal("bad_request", reply.Body.GetProperty("code").GetString());
        Assert.Equal(reply.RequestId, reply.Body.GetProperty("request_id").GetString());
    }

    /// <summary>
    /// Every HTTP function, called on its own trigger's method and path, reaches the route of the same audience: nothing
    /// answers 500, which is what a function naming a route its trigger does not serve gets.
    /// </summary>
    [Fact]
    public async Task Every_http_function_runs_the_route_its_trigger_serves()
    {
        var expected = MemicRouteTable.All.SelectMany(r => r.Paths.Select(p => (Key: $"{r.Method.ToUpperInvariant()} {p}", r.Audience, r.Name)))
            .ToDictionary(r => r.Key);
        // The dashboard's files are a page, not a route of the table (DashboardStaticFilesTests).
        foreach (var (name, method, trigger) in RouteParityTests.HttpFunctions().Where(f => f.Name != RouteParityTests.Dashboard))
        {
            var verb = trigger.Methods!.Single().ToUpperInvariant();
            var route = expected[$"{verb} /{trigger.Route}"];
            var path = "/" + trigger.Route!.Replace("{file_id}", Guid.NewGuid().ToString(), StringComparison.Ordinal)
                .Replace("{folder_id}", Guid.NewGuid().ToString(), StringComparison.Ordinal)
                .Replace("{environment_id}", Guid.NewGuid().ToString(), StringComparison.Ordinal)
                .Replace("{key_id}", Guid.NewGuid().ToString(), StringComparison.Ordinal)
                .Replace("{organization_id}", Guid.NewGuid().ToString(), StringComparison.Ordinal)
                .Replace("{user_id}", Guid.NewGuid().ToString(), StringComparison.Ordinal)
                .Replace("{name}", "greeting", StringComparison.Ordinal);
            var instance = ActivatorUtilities.CreateInstance(host.Services, method.DeclaringType!);
            var http = host.Request(verb, path);

            var reply = await FunctionsTestHost.InvokeAsync(http, request => (Task<IResult>)method.Invoke(instance, [request])!);

            var status = route.Audience switch
            {
                RouteAudience.DataPlane or RouteAudience.Admin or RouteAudience.Session => 401,
                _ when route.Name is "Health" or "OpenApiDocument" => 200,
                _ when route.Name is "Login" => 422, // no email or password
                _ => 403, // the signed upload URL without its signature
            };
            Assert.True(status == reply.Status, $"{name} ({verb} {path}) answered {reply.Status}, expected {status}");
        }
    }

    private async Task<StoredFile> InitFileAsync(Guid environmentId, string name)
    {
        var ticket = await host.Services.GetRequiredService<FileService>()
            .InitAsync(environmentId, new FileDeclaration(name, 10, "text/plain", null, null, null), "https://memic.test", Ct);
        return ticket.File;
    }
}
