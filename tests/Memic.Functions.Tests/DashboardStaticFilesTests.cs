using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Memic.Functions.Http;
using Memic.Http.Dashboard;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Memic.Functions.Tests;

/// <summary>The Functions app serves the dashboard itself, at <c>/</c>, from the files embedded at build time.</summary>
public sealed partial class DashboardStaticFilesTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddLogging().AddSingleton<DashboardFiles>().BuildServiceProvider();

    public void Dispose() => _services.Dispose();

    [Theory]
    [InlineData(null)]
    [InlineData("index.html")]
    public async Task The_root_serves_the_page_revalidated_on_every_load_with_a_policy_that_allows_only_its_own_origin(string? path)
    {
        var (status, headers, body) = await GetAsync(path);

        Assert.Equal(200, status);
        Assert.StartsWith("text/html", headers.ContentType.ToString(), StringComparison.Ordinal);
        Assert.Equal("no-cache", headers.CacheControl.ToString());
        Assert.Contains("default-src 'self'", headers.ContentSecurityPolicy.ToString(), StringComparison.Ordinal);
        Assert.Contains("<div id=\"app\">", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_asset_the_page_names_is_served_with_its_type_and_cached_for_good()
    {
        var (_, _, page) = await GetAsync(null);
        var assets = AssetReference().Matches(page).Select(m => m.Groups["path"].Value).ToArray();

        Assert.Contains(assets, a => a.EndsWith(".js", StringComparison.Ordinal));
        Assert.Contains(assets, a => a.EndsWith(".css", StringComparison.Ordinal));
        foreach (var asset in assets)
        {
            var (status, headers, body) = await GetAsync(asset);
            Assert.Equal(200, status);
            Assert.Contains("immutable", headers.CacheControl.ToString(), StringComparison.Ordinal);
            Assert.StartsWith(asset.EndsWith(".js", StringComparison.Ordinal) ? "text/javascript" : "text/css", headers.ContentType.ToString(), StringComparison.Ordinal);
            Assert.NotEmpty(body);
        }
    }

    [Theory]
    [InlineData("assets/no-such-file.js")]
    [InlineData("api/v1/no-such-route")]
    public async Task Anything_else_is_the_envelopes_404(string path)
    {
        var (status, _, body) = await GetAsync(path);

        Assert.Equal(404, status);
        Assert.Equal("not_found", JsonDocument.Parse(body).RootElement.GetProperty("code").GetString());
    }

    private async Task<(int Status, IHeaderDictionary Headers, string Body)> GetAsync(string? path)
    {
        var http = new DefaultHttpContext { RequestServices = _services };
        http.Request.Method = "GET";
        http.Request.Path = "/" + path;
        http.Response.Body = new MemoryStream();

        await ActivatorUtilities.CreateInstance<DashboardFunctions>(_services).Files(http.Request, path).ExecuteAsync(http);

        return (http.Response.StatusCode, http.Response.Headers, Encoding.UTF8.GetString(((MemoryStream)http.Response.Body).ToArray()));
    }

    [GeneratedRegex("(?:src|href)=\"/(?<path>assets/[^\"]+)\"")]
    private static partial Regex AssetReference();
}
