using System.Diagnostics;
using System.Text.RegularExpressions;
using Memic.Infra.Tests.Bicep;

namespace Memic.Infra.Tests;

/// <summary>
/// The azd hooks (POSIX variants) run against a stand-in `az` that records its calls, so what they ask Azure to do,
/// and in which order, is checked without Azure: postprovision creates the admin key before any code runs, postdeploy
/// wires the blob trigger once the code is there.
/// </summary>
public sealed partial class DeploymentHookTests : IDisposable
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
          "eventgrid system-topic event-subscription create"*)
            failures=$(cat "$FAKE_AZ_LOG.eventgrid" 2>/dev/null || echo 0)
            if [ "$failures" -lt "${FAKE_EVENTGRID_FAILURES:-0}" ]; then
              echo $((failures + 1)) > "$FAKE_AZ_LOG.eventgrid"
              echo "ERROR: Webhook validation handshake failed for https://func-test.azurewebsites.net/runtime/webhooks/blobs?functionName=x&code=blobs-key-123. Http POST request failed with response code Unknown." >&2
              exit 1
            fi ;;
        esac
        exit 0
        """;

    private const string Subscription = "00000000-1111-2222-3333-444444444444";

    private readonly string _directory = Directory.CreateTempSubdirectory("memic-hook-").FullName;

    private static string RepositoryRoot => Path.GetFullPath(Path.Combine(BicepCli.InfraDirectory, ".."));

    private static string Hook(string name) => File.ReadAllText(Path.Combine(BicepCli.InfraDirectory, "hooks", name));

    [Fact]
    public void Azure_yaml_runs_the_postprovision_and_postdeploy_hooks_on_posix_and_windows()
    {
        var azureYaml = File.ReadAllText(Path.Combine(RepositoryRoot, "azure.yaml"));

        Assert.Matches(@"(?m)^  postprovision:\r?\n    posix:\r?\n      shell: sh\r?\n      run: \./infra/hooks/postprovision\.sh", azureYaml);
        Assert.Matches(@"(?m)^  postprovision:(\r?\n      .*|\r?\n    .*)*\r?\n      run: \./infra/hooks/postprovision\.ps1", azureYaml);
        Assert.Matches(@"(?m)^  postdeploy:\r?\n    posix:\r?\n      shell: sh\r?\n      run: \./infra/hooks/postdeploy\.sh", azureYaml);
        Assert.Contains("run: ./infra/hooks/postdeploy.ps1", azureYaml, StringComparison.Ordinal);
        foreach (var hook in new[] { "postprovision.sh", "postprovision.ps1", "postdeploy.sh", "postdeploy.ps1" })
        {
            Assert.True(File.Exists(Path.Combine(BicepCli.InfraDirectory, "hooks", hook)), $"infra/hooks/{hook} is missing");
        }

        Assert.Matches(@"(?m)^  api:\r?\n    project: \./src/Memic\.Functions\r?\n    language: dotnet\r?\n    host: function", azureYaml);
    }

    [Theory]
    [InlineData("postprovision.sh")]
    [InlineData("postprovision.ps1")]
    public void The_admin_key_secret_is_created_after_provisioning_before_any_code_is_deployed(string hook)
    {
        var script = Hook(hook);

        Assert.Contains("az keyvault secret set", script.Replace("`\n", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("MEMIC_ADMIN_KEY", script, StringComparison.Ordinal);
        // Provisioning is all it needs: it never waits for the deployed host.
        Assert.DoesNotContain("functionapp keys list", script, StringComparison.Ordinal);
        Assert.DoesNotContain("SERVICE_API_URI", script, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("postdeploy.sh")]
    [InlineData("postdeploy.ps1")]
    public void The_postdeploy_hook_no_longer_creates_the_admin_key(string hook)
    {
        var script = Hook(hook);

        Assert.DoesNotContain("keyvault secret set", script, StringComparison.Ordinal);
        Assert.DoesNotContain("/dev/urandom", script, StringComparison.Ordinal);
        Assert.DoesNotContain("RandomNumberGenerator", script, StringComparison.Ordinal);
        Assert.Contains("event-subscription create", script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Postdeploy_subscribes_the_blob_trigger_to_blob_created_events_of_uploads()
    {
        var (exitCode, output, calls) = await RunHookAsync("postdeploy.sh");

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
        Assert.DoesNotContain(calls, c => c.StartsWith("az keyvault", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Postdeploy_retries_a_failed_webhook_validation_without_printing_the_webhook_key()
    {
        var (exitCode, output, calls) = await RunHookAsync("postdeploy.sh", eventGridFailures: 2);

        Assert.True(exitCode == 0, output);
        Assert.Equal(3, calls.Count(c => c.StartsWith("az eventgrid system-topic event-subscription create", StringComparison.Ordinal)));
        Assert.Contains("retrying", output, StringComparison.Ordinal);
        Assert.DoesNotContain("blobs-key-123", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Postdeploy_gives_up_after_repeated_validation_failures_naming_the_troubleshooting_section()
    {
        var (exitCode, output, _) = await RunHookAsync("postdeploy.sh", eventGridFailures: 100);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("Troubleshooting", output, StringComparison.Ordinal);
        Assert.Contains("code=***", output, StringComparison.Ordinal);
        Assert.DoesNotContain("blobs-key-123", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Postdeploy_run_twice_succeeds_twice()
    {
        var first = await RunHookAsync("postdeploy.sh");
        var second = await RunHookAsync("postdeploy.sh");

        Assert.True(first.ExitCode == 0, first.Output);
        Assert.True(second.ExitCode == 0, second.Output);
    }

    [Fact]
    public async Task Postprovision_stores_a_new_admin_key_in_key_vault_when_there_is_none()
    {
        var (exitCode, output, calls) = await RunHookAsync("postprovision.sh", secretExists: false);

        Assert.True(exitCode == 0, output);
        var store = Assert.Single(calls, c => c.StartsWith("az keyvault secret set", StringComparison.Ordinal));
        Assert.Contains("--vault-name kv-test --name memic-admin-key", store, StringComparison.Ordinal);
        Assert.Matches(AdminKeyArgument(), store);
        var refresh = Assert.Single(calls, c => c.StartsWith("az functionapp config appsettings set", StringComparison.Ordinal));
        Assert.Contains("@Microsoft.KeyVault(VaultName=kv-test;SecretName=memic-admin-key)", refresh, StringComparison.Ordinal);
        Assert.DoesNotContain(calls, c => c.StartsWith("az functionapp keys list", StringComparison.Ordinal));
        // The key itself is never printed.
        Assert.DoesNotContain("mk_admin_", output, StringComparison.Ordinal);
        Assert.Contains("az keyvault secret show --vault-name kv-test --name memic-admin-key --query value --output tsv", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Postprovision_keeps_an_existing_admin_key()
    {
        var (exitCode, output, calls) = await RunHookAsync("postprovision.sh", secretExists: true);

        Assert.True(exitCode == 0, output);
        Assert.DoesNotContain(calls, c => c.StartsWith("az keyvault secret set", StringComparison.Ordinal));
        Assert.Contains("az keyvault secret show --vault-name kv-test --name memic-admin-key --query value --output tsv", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Admin_keys_differ_between_runs()
    {
        var first = (await RunHookAsync("postprovision.sh")).Calls.Single(c => c.StartsWith("az keyvault secret set", StringComparison.Ordinal));
        File.Delete(Path.Combine(_directory, "az.log"));
        var second = (await RunHookAsync("postprovision.sh")).Calls.Single(c => c.StartsWith("az keyvault secret set", StringComparison.Ordinal));

        Assert.NotEqual(AdminKeyArgument().Match(first).Value, AdminKeyArgument().Match(second).Value);
    }

    [Theory]
    [InlineData("postprovision.sh")]
    [InlineData("postdeploy.sh")]
    public async Task Every_az_call_of_a_hook_names_the_provisioned_subscription(string hook)
    {
        var (exitCode, output, calls) = await RunHookAsync(hook);

        Assert.True(exitCode == 0, output);
        Assert.NotEmpty(calls);
        // Whatever `az account set` chose last, the hooks act on the subscription azd provisioned.
        Assert.All(calls, call => Assert.Contains($" --subscription {Subscription} ", call + " ", StringComparison.Ordinal));
        Assert.Contains($"--output tsv --subscription {Subscription}", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("postprovision.sh")]
    [InlineData("postdeploy.sh")]
    public async Task A_hook_without_the_azd_subscription_stops_before_calling_az(string hook)
    {
        var (exitCode, output, calls) = await RunHookAsync(hook, subscription: string.Empty);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("AZURE_SUBSCRIPTION_ID", output, StringComparison.Ordinal);
        Assert.Empty(calls);
    }

    [Theory]
    [InlineData("postprovision.ps1")]
    [InlineData("postdeploy.ps1")]
    public void Every_az_call_of_a_windows_hook_names_the_provisioned_subscription(string hook)
    {
        // PowerShell is not on the CI machine, so the Windows hooks are read: each az command, with its
        // backtick-continued lines joined, passes --subscription from AZURE_SUBSCRIPTION_ID.
        var script = Hook(hook).ReplaceLineEndings("\n").Replace("`\n", " ", StringComparison.Ordinal);
        var commands = script.Split('\n')
            .Select(line => line.Trim())
            .Where(line => !line.StartsWith('#') && !line.StartsWith("Write-Host", StringComparison.Ordinal) && !line.Contains("Get-Command az", StringComparison.Ordinal))
            .Where(line => System.Text.RegularExpressions.Regex.IsMatch(line, @"(^|[=(]\s*)az \w"))
            .ToList();

        Assert.NotEmpty(commands);
        Assert.All(commands, command => Assert.Contains("--subscription $subscription", command, StringComparison.Ordinal));
        Assert.Contains("$subscription = $env:AZURE_SUBSCRIPTION_ID", script, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private async Task<(int ExitCode, string Output, IReadOnlyList<string> Calls)> RunHookAsync(
        string hook, bool secretExists = false, int eventGridFailures = 0, string subscription = Subscription)
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "The POSIX hooks need sh; the .ps1 files are the Windows variants.");
        var az = Path.Combine(_directory, "az");
        await File.WriteAllTextAsync(az, FakeAz.ReplaceLineEndings("\n") + "\n", TestContext.Current.CancellationToken);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(az, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var log = Path.Combine(_directory, "az.log");
        var start = new ProcessStartInfo("sh")
        {
            ArgumentList = { Path.Combine(BicepCli.InfraDirectory, "hooks", hook) },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["PATH"] = $"{_directory}:{Environment.GetEnvironmentVariable("PATH")}";
        start.Environment["FAKE_AZ_LOG"] = log;
        start.Environment["FAKE_SECRET_EXISTS"] = secretExists ? "1" : string.Empty;
        start.Environment["FAKE_EVENTGRID_FAILURES"] = eventGridFailures.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["MEMIC_HOOK_RETRY_SECONDS"] = "0";
        start.Environment["AZURE_SUBSCRIPTION_ID"] = subscription;
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
