using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using static Memic.Server.Tests.Wire;

namespace Memic.Server.Tests;

/// <summary>
/// The OpenAPI document is generated from the route table, checked in as docs/openapi.json, and served with an API
/// reference page by the real server.
/// </summary>
public sealed partial class OpenApiDocumentTests : IDisposable
{
    private const string UpdateVariable = "MEMIC_UPDATE_OPENAPI";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly string CheckedInPath = Path.Combine(ServerProcess.RepositoryRoot, "docs", "openapi.json");
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("memic-openapi-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    [Fact]
    public async Task The_checked_in_document_is_what_the_server_generates()
    {
        await using var factory = new MemicServerFactory();
        using var client = factory.CreateClient();

        var generated = await client.GetStringAsync("/openapi/v1.json", Ct);

        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            await File.WriteAllTextAsync(CheckedInPath, generated, Ct);
        }

        var checkedIn = await File.ReadAllTextAsync(CheckedInPath, Ct);
        Assert.True(checkedIn == generated,
            "docs/openapi.json differs from the document the route table generates. Regenerate it with " +
            $"`{UpdateVariable}=1 dotnet test --project tests/Memic.Server.Tests -c Release -- --filter-class \"*OpenApiDocumentTests\"` " +
            "and review the diff: a change there is a change of the API.");
    }

    [Fact]
    public async Task The_document_describes_both_data_plane_surfaces_the_admin_api_and_the_error_envelopes()
    {
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(CheckedInPath, Ct));
        var root = document.RootElement;
        var paths = root.GetProperty("paths");
        var schemas = root.GetProperty("components").GetProperty("schemas");

        Assert.StartsWith("3.1", root.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        Assert.True(paths.TryGetProperty("/api/v1/search", out var search));
        Assert.True(paths.TryGetProperty("/api/v1/sdk/search", out _));
        Assert.True(paths.TryGetProperty("/api/admin/v1/environments/{environment_id}/keys", out _));
        Assert.Equal("#/components/schemas/SearchRequest",
            search.GetProperty("post").GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());
        Assert.Equal("#/components/schemas/ValidationErrorEnvelope",
            search.GetProperty("post").GetProperty("responses").GetProperty("422").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());
        Assert.Equal(["detail", "code", "request_id"], schemas.GetProperty("ErrorEnvelope").GetProperty("properties").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["loc", "msg", "type"], schemas.GetProperty("ValidationErrorItem").GetProperty("properties").EnumerateObject().Select(p => p.Name));
        Assert.Equal(50, schemas.GetProperty("SearchRequest").GetProperty("properties").GetProperty("top_k").GetProperty("maximum").GetInt32());
    }

    [Fact]
    public async Task The_real_server_serves_the_document_and_an_api_reference_that_needs_no_internet()
    {
        await using var server = ServerProcess.StartServer(_dataDirectory);
        var url = (await server.WaitForAsync(ServerProcess.RunningAt(), StartTimeout, Ct)).Groups["url"].Value;
        using var client = new HttpClient { BaseAddress = new Uri(url) };

        using var document = await client.GetAsync("/openapi/v1.json", Ct);
        using var page = await client.GetAsync("/docs", Ct);
        var html = await page.Content.ReadAsStringAsync(Ct);
        var script = ScriptSource().Match(html);
        using var bundle = await client.GetAsync(new Uri(new Uri(url + "/docs/"), script.Groups["src"].Value), Ct);

        Assert.Equal(HttpStatusCode.OK, document.StatusCode);
        Assert.Equal("application/json", document.Content.Headers.ContentType?.MediaType);
        Assert.Equal(await File.ReadAllTextAsync(CheckedInPath, Ct), await document.Content.ReadAsStringAsync(Ct));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("\"url\":\"openapi/v1.json\"", html, StringComparison.Ordinal);
        Assert.True(script.Success, "The reference page loads no script.");
        Assert.DoesNotMatch("^(https?:)?//", script.Groups["src"].Value);
        Assert.Equal(HttpStatusCode.OK, bundle.StatusCode);
        Assert.True((await bundle.Content.ReadAsByteArrayAsync(Ct)).Length > 100_000, "The reference page's script is not the bundled Scalar.");
    }

    [GeneratedRegex("<script[^>]*\\bsrc=\"(?<src>[^\"]+)\"")]
    private static partial Regex ScriptSource();
}
