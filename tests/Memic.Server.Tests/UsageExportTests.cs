using System.Net;
using System.Net.Http.Json;
using static Memic.Server.Tests.Wire;

namespace Memic.Server.Tests;

/// <summary>CONTRACT §17: the billing export, every environment's usage per period as JSON or CSV.</summary>
public sealed class UsageExportTests : IDisposable
{
    private readonly MemicServerFactory _server = new()
    {
        Settings = new Dictionary<string, string> { ["Memic:RateLimits:Enabled"] = "false" },
    };

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task Export_has_one_row_per_environment_and_period_with_its_ids_and_slug_in_json_and_csv()
    {
        using var admin = _server.AdminClient();
        var (alphaId, alphaKey) = await admin.CreateEnvironmentAsync("alpha");
        var (betaId, betaKey) = await admin.CreateEnvironmentAsync("beta");
        await SearchAsync(alphaKey, 3);
        await SearchAsync(betaKey, 1);
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd");

        var byDay = await (await admin.GetAsync($"/api/admin/v1/usage?from={today}&to={today}&granularity=day", Ct)).ExpectAsync(HttpStatusCode.OK);
        var byHour = await (await admin.GetAsync($"/api/admin/v1/usage?from={today}&to={today}&granularity=hour&format=json", Ct)).ExpectAsync(HttpStatusCode.OK);
        var csvResponse = await admin.GetAsync($"/api/admin/v1/usage?from={today}&to={today}&format=csv", Ct);
        var csv = await csvResponse.Content.ReadAsStringAsync(Ct);
        var environments = await (await admin.GetAsync("/api/admin/v1/environments", Ct)).ExpectAsync(HttpStatusCode.OK);

        var rows = byDay.GetProperty("rows").EnumerateArray().ToList();
        var alpha = Assert.Single(rows, r => r.GetProperty("environment_id").GetGuid() == alphaId);
        var beta = Assert.Single(rows, r => r.GetProperty("environment_id").GetGuid() == betaId);
        var alphaEnvironment = environments.EnumerateArray().Single(e => e.GetProperty("id").GetGuid() == alphaId);
        Assert.Equal("alpha", alpha.GetProperty("environment_slug").GetString());
        Assert.Equal(alphaEnvironment.GetProperty("project_id").GetGuid(), alpha.GetProperty("project_id").GetGuid());
        Assert.Equal(alphaEnvironment.GetProperty("organization_id").GetGuid(), alpha.GetProperty("organization_id").GetGuid());
        Assert.Equal(3, alpha.GetProperty("searches").GetInt64());
        Assert.Equal(3, alpha.GetProperty("requests").GetInt64());
        Assert.Equal(1, beta.GetProperty("searches").GetInt64());
        Assert.Equal(TimeSpan.FromDays(1), alpha.GetProperty("period_end").GetDateTimeOffset() - alpha.GetProperty("period_start").GetDateTimeOffset());
        var hourRows = byHour.GetProperty("rows").EnumerateArray().Where(r => r.GetProperty("environment_id").GetGuid() == alphaId).ToList();
        Assert.Equal(3, hourRows.Sum(r => r.GetProperty("searches").GetInt64()));
        Assert.All(hourRows, r => Assert.Equal(TimeSpan.FromHours(1), r.GetProperty("period_end").GetDateTimeOffset() - r.GetProperty("period_start").GetDateTimeOffset()));

        Assert.Equal("text/csv", csvResponse.Content.Headers.ContentType?.MediaType);
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("organization_id,project_id,environment_id,environment_slug,period_start,period_end,requests,searches,chats,files,bytes,pages,chunks,embedding_tokens", lines[0]);
        var alphaLine = Assert.Single(lines, l => l.Contains(alphaId.ToString(), StringComparison.Ordinal)).Split(',');
        Assert.Equal("alpha", alphaLine[3]);
        Assert.Equal("3", alphaLine[7]);
    }

    [Fact]
    public async Task Export_refuses_a_reversed_or_too_long_range_and_an_unknown_granularity_with_422()
    {
        using var admin = _server.AdminClient();

        var reversed = await admin.GetAsync("/api/admin/v1/usage?from=2026-12-02&to=2026-12-01", Ct);
        var tooLong = await admin.GetAsync("/api/admin/v1/usage?from=2026-01-01&to=2026-12-01&granularity=hour", Ct);
        var unknown = await admin.GetAsync("/api/admin/v1/usage?granularity=minute", Ct);

        await reversed.ExpectAsync(HttpStatusCode.UnprocessableEntity);
        await tooLong.ExpectAsync(HttpStatusCode.UnprocessableEntity);
        await unknown.ExpectAsync(HttpStatusCode.UnprocessableEntity);
    }

    private async Task SearchAsync(string key, int times)
    {
        using var client = _server.DataClient(key);
        for (var i = 0; i < times; i++)
        {
            await (await client.PostAsJsonAsync("/api/v1/search", new { query = "anything" }, Ct)).ExpectAsync(HttpStatusCode.OK);
        }
    }
}
