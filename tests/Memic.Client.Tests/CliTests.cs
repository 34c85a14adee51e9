using System.Text.Json;
using Memic.Client;

namespace Memic.Client.Tests;

/// <summary>The <c>memic</c> tool end to end: a real process against the real local server.</summary>
public sealed class CliTests(LocalServer server) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("memic-cli-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private Dictionary<string, string> DataPlane(string apiKey) => new()
    {
        ["MEMIC_API_KEY"] = apiKey,
        ["MEMIC_BASE_URL"] = server.Url.ToString(),
    };

    private Dictionary<string, string> AdminPlane() => new()
    {
        ["MEMIC_ADMIN_KEY"] = server.AdminKey,
        ["MEMIC_BASE_URL"] = server.Url.ToString(),
    };

    [Fact]
    public async Task Uploading_a_directory_twice_uploads_each_content_once_and_the_rerun_skips_everything()
    {
        var (_, apiKey) = await server.NewEnvironmentKeyAsync("cli-upload");
        await File.WriteAllTextAsync(Path.Combine(_directory, "a.txt"), "Alpha notes: the warehouse opens at seven.", Ct);
        await File.WriteAllTextAsync(Path.Combine(_directory, "b.md"), "# Beta\nThe loading dock closes at nine.", Ct);
        Directory.CreateDirectory(Path.Combine(_directory, "nested"));
        await File.WriteAllTextAsync(Path.Combine(_directory, "nested", "copy-of-a.txt"), "Alpha notes: the warehouse opens at seven.", Ct);

        var first = await MemicCli.RunAsync(DataPlane(apiKey), "upload", _directory, "--folder", "ops", "--wait", "--json");
        var second = await MemicCli.RunAsync(DataPlane(apiKey), "upload", _directory, "--folder", "ops");
        using var client = new MemicClient(server.Options(apiKey));
        var stored = await client.ListFilesAsync(cancellationToken: Ct).ToListAsync(Ct);

        Assert.True(first.ExitCode == 0, first.Error);
        var uploaded = first.OutputLines.Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.Equal(2, uploaded.Count);
        Assert.All(uploaded, file => Assert.Equal("ready", file.GetProperty("status").GetString()));
        Assert.All(uploaded, file => Assert.Equal("ops", file.GetProperty("folder_name").GetString()));
        Assert.True(second.ExitCode == 0, second.Error);
        Assert.Contains("0 uploaded, 3 skipped, 0 failed", second.Output, StringComparison.Ordinal);
        Assert.Equal(["a.txt", "b.md"], stored.Select(f => f.Name).Order());
    }

    [Fact]
    public async Task Search_with_json_prints_the_api_response_as_it_came()
    {
        var (_, apiKey) = await server.NewEnvironmentKeyAsync("cli-search");
        using var client = new MemicClient(server.Options(apiKey));
        await client.UploadAsync(new MemoryStream(Documents.Text(Documents.LeavePolicy)), "leave.txt", new UploadFileOptions { WaitUntilReady = true, PollInterval = TimeSpan.FromMilliseconds(100) }, cancellationToken: Ct);

        var json = await MemicCli.RunAsync(DataPlane(apiKey), "search", "paid parental leave weeks", "--top-k", "2", "--json");
        var table = await MemicCli.RunAsync(DataPlane(apiKey), "search", "paid parental leave weeks");

        Assert.True(json.ExitCode == 0, json.Error);
        var line = Assert.Single(json.OutputLines);
        using var document = JsonDocument.Parse(line);
        Assert.Equal(
            ["query", "total_results", "search_time_ms", "namespace", "filters_applied", "results", "routing"],
            document.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal("leave.txt", document.RootElement.GetProperty("results").GetProperty("semantic")[0].GetProperty("file_name").GetString());
        Assert.Equal(0, table.ExitCode);
        Assert.Contains("leave.txt", table.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Files_ls_lists_what_files_rm_then_removes()
    {
        var (_, apiKey) = await server.NewEnvironmentKeyAsync("cli-files");
        using var client = new MemicClient(server.Options(apiKey));
        var file = await client.UploadFileMultipartAsync(new MemoryStream(Documents.Numbered(4)), "four.txt", cancellationToken: Ct);

        var listed = await MemicCli.RunAsync(DataPlane(apiKey), "files", "ls", "--json");
        var removed = await MemicCli.RunAsync(DataPlane(apiKey), "files", "rm", file.Id.ToString());
        var after = await MemicCli.RunAsync(DataPlane(apiKey), "files", "ls");

        Assert.True(listed.ExitCode == 0, listed.Error);
        using var page = JsonDocument.Parse(Assert.Single(listed.OutputLines));
        Assert.Equal(file.Id, page.RootElement.GetProperty("items")[0].GetProperty("id").GetGuid());
        Assert.Equal(1, page.RootElement.GetProperty("total").GetInt32());
        Assert.Equal(0, removed.ExitCode);
        Assert.DoesNotContain(file.Id.ToString(), after.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_api_error_exits_1_naming_the_code_and_request_id_and_json_mode_adds_the_envelope()
    {
        var (_, apiKey) = await server.NewEnvironmentKeyAsync("cli-errors");
        var unknown = Guid.NewGuid().ToString();

        var result = await MemicCli.RunAsync(DataPlane(apiKey), "files", "rm", unknown, "--json");

        Assert.Equal(1, result.ExitCode);
        Assert.Empty(result.Output);
        Assert.Contains("404 file_not_found", result.Error, StringComparison.Ordinal);
        Assert.Contains("request id:", result.Error, StringComparison.Ordinal);
        var envelope = JsonDocument.Parse(result.Error.Split('\n').Single(l => l.StartsWith('{'))).RootElement;
        Assert.Equal("file_not_found", envelope.GetProperty("code").GetString());
    }

    [Fact]
    public async Task An_unreachable_server_exits_3_and_bad_arguments_exit_2()
    {
        var unreachable = await MemicCli.RunAsync(new Dictionary<string, string> { ["MEMIC_API_KEY"] = "mk_live_x", ["MEMIC_BASE_URL"] = "http://127.0.0.1:9" }, "search", "anything");
        var missingArgument = await MemicCli.RunAsync(DataPlane(server.ProductionApiKey), "search");
        var missingKey = await MemicCli.RunAsync(new Dictionary<string, string> { ["MEMIC_BASE_URL"] = server.Url.ToString() }, "files", "ls");

        Assert.Equal(3, unreachable.ExitCode);
        Assert.Contains("cannot reach", unreachable.Error, StringComparison.Ordinal);
        Assert.Equal(2, missingArgument.ExitCode);
        Assert.Contains("query", missingArgument.Error, StringComparison.Ordinal);
        Assert.Equal(2, missingKey.ExitCode);
        Assert.Contains("MEMIC_API_KEY", missingKey.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Environment_and_key_commands_use_MEMIC_ADMIN_KEY_at_the_admin_url_derived_from_MEMIC_BASE_URL()
    {
        var slug = "cli-env-" + Guid.NewGuid().ToString("N")[..8];

        var created = await MemicCli.RunAsync(AdminPlane(), "env", "create", slug, "--ttl", "2", "--json");
        var listed = await MemicCli.RunAsync(AdminPlane(), "env", "ls", "--json");
        var issued = await MemicCli.RunAsync(AdminPlane(), "keys", "create", slug, "--name", "deploy", "--json");
        var keyId = JsonDocument.Parse(issued.Output).RootElement.GetProperty("id").GetString()!;
        var keysBefore = await MemicCli.RunAsync(AdminPlane(), "keys", "ls", slug, "--json");
        var revoked = await MemicCli.RunAsync(AdminPlane(), "keys", "revoke", keyId);
        var keysAfter = await MemicCli.RunAsync(AdminPlane(), "keys", "ls", slug);
        var removed = await MemicCli.RunAsync(AdminPlane(), "env", "rm", slug);
        var listedAfter = await MemicCli.RunAsync(AdminPlane(), "env", "ls");

        Assert.True(created.ExitCode == 0, created.Error);
        var body = JsonDocument.Parse(created.Output).RootElement;
        Assert.Equal(slug, body.GetProperty("environment").GetProperty("slug").GetString());
        Assert.StartsWith("mk_live_", body.GetProperty("api_key").GetString(), StringComparison.Ordinal);
        Assert.Contains(JsonDocument.Parse(listed.Output).RootElement.EnumerateArray(), e => e.GetProperty("slug").GetString() == slug);
        Assert.True(issued.ExitCode == 0, issued.Error);
        Assert.StartsWith("mk_live_", JsonDocument.Parse(issued.Output).RootElement.GetProperty("api_key").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, JsonDocument.Parse(keysBefore.Output).RootElement.GetArrayLength());
        Assert.Equal(0, revoked.ExitCode);
        Assert.DoesNotContain(keyId, keysAfter.Output, StringComparison.Ordinal);
        Assert.Equal(0, removed.ExitCode);
        Assert.DoesNotContain(slug, listedAfter.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MEMIC_ADMIN_URL_takes_precedence_and_a_missing_admin_key_exits_2_saying_what_to_set()
    {
        var explicitUrl = new Dictionary<string, string>
        {
            ["MEMIC_ADMIN_KEY"] = server.AdminKey,
            ["MEMIC_BASE_URL"] = "http://127.0.0.1:9/",
            ["MEMIC_ADMIN_URL"] = new Uri(server.Url, "/api/admin/v1").ToString(),
        };

        var listed = await MemicCli.RunAsync(explicitUrl, "env", "ls", "--json");
        var missing = await MemicCli.RunAsync(new Dictionary<string, string> { ["MEMIC_BASE_URL"] = server.Url.ToString() }, "env", "ls");

        Assert.True(listed.ExitCode == 0, listed.Error);
        Assert.Contains(JsonDocument.Parse(listed.Output).RootElement.EnumerateArray(), e => e.GetProperty("slug").GetString() == "production");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("MEMIC_ADMIN_KEY", missing.Error, StringComparison.Ordinal);
    }
}
