using System.Diagnostics;
using System.Text.RegularExpressions;
using Memic.Infra.Tests.Bicep;

namespace Memic.Infra.Tests;

/// <summary>
/// The postdeploy hook (POSIX variant) run against a stand-in `az` that records its calls, so
/// what the hook asks Azure to do is checked without Azure.
/// </summary>
public sealed partial class PostdeployHookTests : IDisposable
{
    private const string FakeAz = """
        #!/bin/sh
        # Records each call, with the contents of @file and --file arguments, one call per line.
        {
          printf 'az'
          previous=""
          for argument in "$@"; do
            case "$argument" in
              @*) printf ' <%s>' "$(cat "${argument#@}")" ;;
              *) if [ "$previous" = "--file" ]; then printf ' <%s>' "$(cat "$argument")"; else printf ' %s' "$argument"; fi ;;
            esac
            previous="$argument"
          done
          printf '\n'
        } >> "$FAKE_AZ_LOG"
        case "$*" in
          "functionapp keys list"*) echo "blobs-key-123" ;;
          "keyvault secret show"*)
            if [ -n "${FAKE_SECRET_EXISTS:-}" ]; then echo "https://kv/secrets/memic-admin-key/1"; exit 0; fi
            echo "ERROR: (SecretNotFound) A secret with (name/id) memic-admin-key was not found in this key vault." >&2
            exit 1 ;;
        esac
        exit 0
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("memic-hook-").FullName;

    private static string RepositoryRoot => Path.GetFullPath(Path.Combine(BicepCli.InfraDirectory, ".."));

    [Fact]
    public void Azure_yaml_runs_the_postdeploy_hook_on_posix_and_windows()
    {
        var azureYaml = File.ReadAllText(Path.Combine(RepositoryRoot, "azure.yaml"));

        Assert.Contains("run: ./infra/hooks/postdeploy.sh", azureYaml, StringComparison.Ordinal);
        Assert.Contains("run: ./infra/hooks/postdeploy.ps1", azureYaml, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(BicepCli.InfraDirectory, "hooks", "postdeploy.sh")));
        Assert.True(File.Exists(Path.Combine(BicepCli.InfraDirectory, "hooks", "postdeploy.ps1")));
        Assert.Matches(@"(?m)^  api:\r?\n    project: \./src/Memic\.Functions\r?\n    language: dotnet\r?\n    host: function", azureYaml);
    }

    [Fact]
    public async Task Hook_subscribes_the_blob_trigger_to_blob_created_events_of_uploads()
    {
        var (exitCode, output, calls) = await RunHookAsync(secretExists: false);

        Assert.True(exitCode == 0, output);
        var subscribe = Assert.Single(calls, c => c.StartsWith("az eventgrid system-topic event-subscription create", StringComparison.Ordinal));
        Assert.Contains("--resource-group rg-test", subscribe, StringComparison.Ordinal);
        Assert.Contains("--system-topic-name evgt-test", subscribe, StringComparison.Ordinal);
        Assert.Contains("--endpoint-type webhook", subscribe, StringComparison.Ordinal);
        Assert.Contains(
            "--endpoint <https://func-test.azurewebsites.net/runtime/webhooks/blobs?functionName=Host.Functions.IngestUploadedBlob&code=blobs-key-123>",
            subscribe,
            StringComparison.Ordinal);
        Assert.Contains("--included-event-types Microsoft.Storage.BlobCreated", subscribe, StringComparison.Ordinal);
        Assert.Contains("--subject-begins-with /blobServices/default/containers/uploads/", subscribe, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hook_stores_a_new_admin_key_in_key_vault_when_there_is_none()
    {
        var (exitCode, output, calls) = await RunHookAsync(secretExists: false);

        Assert.True(exitCode == 0, output);
        var store = Assert.Single(calls, c => c.StartsWith("az keyvault secret set", StringComparison.Ordinal));
        Assert.Contains("--vault-name kv-test --name memic-admin-key", store, StringComparison.Ordinal);
        Assert.Matches(AdminKeyArgument(), store);
        var refresh = Assert.Single(calls, c => c.StartsWith("az functionapp config appsettings set", StringComparison.Ordinal));
        Assert.Contains("@Microsoft.KeyVault(VaultName=kv-test;SecretName=memic-admin-key)", refresh, StringComparison.Ordinal);
        // The key itself is never printed.
        Assert.DoesNotContain("mk_admin_", output, StringComparison.Ordinal);
        Assert.Contains("az keyvault secret show --vault-name kv-test --name memic-admin-key --query value --output tsv", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hook_keeps_an_existing_admin_key()
    {
        var (exitCode, output, calls) = await RunHookAsync(secretExists: true);

        Assert.True(exitCode == 0, output);
        Assert.DoesNotContain(calls, c => c.StartsWith("az keyvault secret set", StringComparison.Ordinal));
        Assert.Contains("az keyvault secret show --vault-name kv-test --name memic-admin-key --query value --output tsv", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Admin_keys_differ_between_runs()
    {
        var first = (await RunHookAsync(secretExists: false)).Calls.Single(c => c.StartsWith("az keyvault secret set", StringComparison.Ordinal));
        File.Delete(Path.Combine(_directory, "az.log"));
        var second = (await RunHookAsync(secretExists: false)).Calls.Single(c => c.StartsWith("az keyvault secret set", StringComparison.Ordinal));

        Assert.NotEqual(AdminKeyArgument().Match(first).Value, AdminKeyArgument().Match(second).Value);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private async Task<(int ExitCode, string Output, IReadOnlyList<string> Calls)> RunHookAsync(bool secretExists)
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "The POSIX hook needs sh; postdeploy.ps1 is the Windows variant.");
        var az = Path.Combine(_directory, "az");
        await File.WriteAllTextAsync(az, FakeAz.ReplaceLineEndings("\n") + "\n", TestContext.Current.CancellationToken);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(az, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var log = Path.Combine(_directory, "az.log");

        var start = new ProcessStartInfo("sh")
        {
            ArgumentList = { Path.Combine(BicepCli.InfraDirectory, "hooks", "postdeploy.sh") },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["PATH"] = $"{_directory}:{Environment.GetEnvironmentVariable("PATH")}";
        start.Environment["FAKE_AZ_LOG"] = log;
        start.Environment["FAKE_SECRET_EXISTS"] = secretExists ? "1" : string.Empty;
        start.Environment["AZURE_RESOURCE_GROUP"] = "rg-test";
        start.Environment["AZURE_FUNCTION_APP_NAME"] = "func-test";
        start.Environment["AZURE_EVENTGRID_SYSTEM_TOPIC_NAME"] = "evgt-test";
        start.Environment["AZURE_STORAGE_UPLOADS_CONTAINER"] = "uploads";
        start.Environment["AZURE_KEY_VAULT_NAME"] = "kv-test";
        start.Environment["SERVICE_API_URI"] = "https://func-test.azurewebsites.net";

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);

        var calls = File.Exists(log) ? await File.ReadAllLinesAsync(log, TestContext.Current.CancellationToken) : [];
        return (process.ExitCode, await stdout + await stderr, calls);
    }

    // mk_admin_ + 32 bytes base64url without padding = 43 characters.
    [GeneratedRegex(@"--file <mk_admin_[A-Za-z0-9_-]{43}>")]
    private static partial Regex AdminKeyArgument();
}
