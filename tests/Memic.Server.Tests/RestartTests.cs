using System.Net;
using System.Net.Http.Json;
using static Memic.Server.Tests.Wire;

namespace Memic.Server.Tests;

/// <summary>Restarting on the same data directory keeps everything and re-creates nothing.</summary>
public sealed class RestartTests : IDisposable
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("memic-restart-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    [Fact]
    public async Task Restart_keeps_organizations_projects_environments_and_keys()
    {
        string adminKey;
        string environmentKey;
        string before;
        string projectsBefore;
        using (var first = new MemicServerFactory { SharedDataDirectory = _dataDirectory })
        {
            adminKey = first.AdminKey;
            using var admin = first.AdminClient();
            await (await admin.PostAsJsonAsync("/api/admin/v1/organizations", new { name = "Kept Org" }, Ct)).ExpectAsync(HttpStatusCode.Created);
            (_, environmentKey) = await admin.CreateEnvironmentAsync("kept-env");
            before = (await (await admin.GetAsync("/api/admin/v1/environments", Ct)).ExpectAsync(HttpStatusCode.OK)).GetRawText();
            projectsBefore = (await (await first.DataClient(environmentKey).GetAsync("/api/v1/projects", Ct)).ExpectAsync(HttpStatusCode.OK)).GetRawText();
        }

        using var second = new MemicServerFactory { SharedDataDirectory = _dataDirectory, AdminKey = adminKey };
        using var admin2 = second.AdminClient();
        var after = (await (await admin2.GetAsync("/api/admin/v1/environments", Ct)).ExpectAsync(HttpStatusCode.OK)).GetRawText();
        var projectsAfter = (await (await second.DataClient(environmentKey).GetAsync("/api/v1/projects", Ct)).ExpectAsync(HttpStatusCode.OK)).GetRawText();

        Assert.Equal(before, after);
        Assert.Equal(projectsBefore, projectsAfter);
        Assert.Contains("\"production\"", after, StringComparison.Ordinal);
        var me = await (await second.DataClient(environmentKey).GetAsync("/api/v1/me", Ct)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("kept-env", me.GetProperty("environment_slug").GetString());
    }
}
