using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using static Memic.Server.Tests.Wire;

namespace Memic.Server.Tests;

/// <summary>The README's run command, as a real process on an empty data directory.</summary>
public sealed class ReadmeRunCommandTests : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("memic-process-").FullName;

    public void Dispose() => Directory.Delete(_dataDirectory, recursive: true);

    [Fact]
    public async Task First_start_prints_a_url_and_a_key_that_works_on_both_surfaces()
    {
        await using var server = ServerProcess.StartServer(_dataDirectory);

        var adminKey = (await server.WaitForAsync(ServerProcess.AdminKeyLine(), StartTimeout, Ct)).Groups["key"].Value;
        var key = (await server.WaitForAsync(ServerProcess.ApiKeyLine(), StartTimeout, Ct)).Groups["key"].Value;
        var url = server.Seen.Select(l => ServerProcess.RunningAt().Match(l)).Single(m => m.Success).Groups["url"].Value;
        using var client = new HttpClient { BaseAddress = new Uri(url) };
        client.DefaultRequestHeaders.Add("X-API-Key", key);

        var docs = await (await client.GetAsync("/api/v1/me", Ct)).ExpectAsync(HttpStatusCode.OK);
        var sdk = await (await client.GetAsync("/api/v1/sdk/me", Ct)).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("production", docs.GetProperty("environment_slug").GetString());
        Assert.Equal("Default Organization", docs.GetProperty("organization_name").GetString());
        Assert.Equal(6, docs.EnumerateObject().Count());
        Assert.Equal(docs.GetRawText(), sdk.GetRawText());
        Assert.StartsWith("mk_admin_", adminKey, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_command_keeps_its_data_in_the_folder_it_was_typed_in_and_the_banner_says_so()
    {
        var typedIn = Path.Combine(_dataDirectory, "my project");
        Directory.CreateDirectory(typedIn);
        await using var server = ServerProcess.StartServerFrom(typedIn);

        var banner = (await server.WaitForAsync(ServerProcess.DataDirectoryLine(), StartTimeout, Ct)).Groups["path"].Value;
        await server.WaitForAsync(ServerProcess.ApiKeyLine(), StartTimeout, Ct);

        var expected = Path.Combine(typedIn, ".memic");
        Assert.Equal(expected, banner);
        Assert.True(File.Exists(Path.Combine(expected, "catalog.db")), $"no catalog in {expected}");
    }

    [Fact]
    public async Task Killed_and_restarted_server_keeps_its_key_and_creates_nothing_new()
    {
        string key;
        string environmentsBefore;
        string adminKey;
        await using (var first = ServerProcess.StartServer(_dataDirectory))
        {
            adminKey = (await first.WaitForAsync(ServerProcess.AdminKeyLine(), StartTimeout, Ct)).Groups["key"].Value;
            key = (await first.WaitForAsync(ServerProcess.ApiKeyLine(), StartTimeout, Ct)).Groups["key"].Value;
            var url = first.Seen.Select(l => ServerProcess.RunningAt().Match(l)).Single(m => m.Success).Groups["url"].Value;
            using var admin = new HttpClient { BaseAddress = new Uri(url) };
            admin.DefaultRequestHeaders.Add("X-Admin-Key", adminKey);
            environmentsBefore = (await (await admin.GetAsync("/api/admin/v1/environments", Ct)).ExpectAsync(HttpStatusCode.OK)).GetRawText();
        }

        await using var second = ServerProcess.StartServer(_dataDirectory);
        var secondUrl = (await second.WaitForAsync(ServerProcess.RunningAt(), StartTimeout, Ct)).Groups["url"].Value;
        await second.DrainAsync(TimeSpan.FromMilliseconds(500));
        using var client = new HttpClient { BaseAddress = new Uri(secondUrl) };
        client.DefaultRequestHeaders.Add("X-API-Key", key);
        client.DefaultRequestHeaders.Add("X-Admin-Key", adminKey);

        await (await client.GetAsync("/api/v1/me", Ct)).ExpectAsync(HttpStatusCode.OK);
        var environmentsAfter = (await (await client.GetAsync("/api/admin/v1/environments", Ct)).ExpectAsync(HttpStatusCode.OK)).GetRawText();
        Assert.Equal(environmentsBefore, environmentsAfter);
        Assert.DoesNotContain(second.Seen, line => ServerProcess.ApiKeyLine().IsMatch(line) || ServerProcess.AdminKeyLine().IsMatch(line));
    }

    [Fact]
    public async Task Admin_command_creates_an_environment_whose_key_the_running_server_accepts()
    {
        await using var server = ServerProcess.StartServer(_dataDirectory);
        var url = (await server.WaitForAsync(ServerProcess.RunningAt(), StartTimeout, Ct)).Groups["url"].Value;

        var (exitCode, output) = await ServerProcess.RunCommandAsync(_dataDirectory, Ct, "environments", "create", "--slug", "from-cli");

        Assert.Equal(0, exitCode);
        using var created = JsonDocument.Parse(output);
        var key = created.RootElement.GetProperty("api_key").GetString()!;
        using var client = new HttpClient { BaseAddress = new Uri(url) };
        client.DefaultRequestHeaders.Add("X-API-Key", key);
        var me = await (await client.GetAsync("/api/v1/me", Ct)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("from-cli", me.GetProperty("environment_slug").GetString());
        Assert.Equal(created.RootElement.GetProperty("environment").GetProperty("id").GetGuid(), me.GetProperty("environment_id").GetGuid());
    }

    [Fact]
    public async Task Configured_admin_key_is_used_and_none_is_generated()
    {
        var adminKey = Core.Keys.ApiKeyFormat.NewAdminKey();
        await using var server = ServerProcess.StartServer(_dataDirectory, new Dictionary<string, string> { ["MEMIC_ADMIN_KEY"] = adminKey });
        await server.WaitForAsync(ServerProcess.ApiKeyLine(), StartTimeout, Ct);
        var url = server.Seen.Select(l => ServerProcess.RunningAt().Match(l)).Single(m => m.Success).Groups["url"].Value;
        using var admin = new HttpClient { BaseAddress = new Uri(url) };
        admin.DefaultRequestHeaders.Add("X-Admin-Key", adminKey);

        await (await admin.PostAsJsonAsync("/api/admin/v1/organizations", new { name = "Via env" }, Ct)).ExpectAsync(HttpStatusCode.Created);
        Assert.DoesNotContain(server.Seen, line => ServerProcess.AdminKeyLine().IsMatch(line));
    }
}
