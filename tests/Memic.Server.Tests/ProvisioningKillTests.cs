using System.Net;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using static Memic.Server.Tests.Wire;

namespace Memic.Server.Tests;

/// <summary>
/// CONTRACT §10: environment creation is resumable. A real process is killed while it creates an environment (its row,
/// folder and index exist, its key does not), and creating the same slug again completes it: exactly one ready
/// environment, whose key works.
/// </summary>
public sealed class ProvisioningKillTests : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("memic-provisioning-kill-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    [Fact]
    public async Task A_creation_killed_halfway_is_completed_by_creating_the_same_slug_again()
    {
        // The first start (default organization, project, production) happens here, not in the process to be killed.
        await using (var first = ServerProcess.StartServer(_dataDirectory))
        {
            await first.WaitForAsync(ServerProcess.RunningAt(), StartTimeout, Ct);
        }

        var slug = await KillMidCreationAsync();
        var (exitCode, output) = await ServerProcess.RunCommandAsync(_dataDirectory, Ct, "environments", "create", "--slug", slug);

        Assert.Equal(0, exitCode);
        using var created = JsonDocument.Parse(output);
        Assert.Equal("ready", created.RootElement.GetProperty("environment").GetProperty("status").GetString());
        var (_, all) = await ServerProcess.RunCommandAsync(_dataDirectory, Ct, "environments", "list");
        using var environments = JsonDocument.Parse(all);
        var withSlug = environments.RootElement.EnumerateArray().Where(e => e.GetProperty("slug").GetString() == slug).ToList();
        Assert.Equal("ready", Assert.Single(withSlug).GetProperty("status").GetString());
        Assert.Equal(2, environments.RootElement.GetArrayLength()); // production and this one, nothing half-made beside it

        await using var server = ServerProcess.StartServer(_dataDirectory);
        var url = (await server.WaitForAsync(ServerProcess.RunningAt(), StartTimeout, Ct)).Groups["url"].Value;
        using var client = new HttpClient { BaseAddress = new Uri(url) };
        client.DefaultRequestHeaders.Add("X-API-Key", created.RootElement.GetProperty("api_key").GetString());
        var me = await (await client.GetAsync("/api/v1/me", Ct)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(slug, me.GetProperty("environment_slug").GetString());
    }

    /// <summary>
    /// Runs <c>environments create</c> while this test holds the key store's write lock, so the process gets as far as
    /// issuing the first key (its environment row exists, its folder and index too) and waits there; then kills it.
    /// Returns the slug left half-created.
    /// </summary>
    private async Task<string> KillMidCreationAsync()
    {
        const string slug = "killed-halfway";
        using (var keyStore = new SqliteConnection($"Data Source={Path.Combine(_dataDirectory, "keys.db")};Pooling=False"))
        {
            keyStore.Open();
            using (var hold = keyStore.CreateCommand())
            {
                hold.CommandText = "BEGIN IMMEDIATE";
                hold.ExecuteNonQuery();
            }

            await using var create = ServerProcess.StartCommand(_dataDirectory, "environments", "create", "--slug", slug);
            using var deadline = new CancellationTokenSource(StartTimeout);
            while (StatusOf(slug) is null && !create.HasExited)
            {
                await Task.Delay(10, deadline.Token);
            }

            await create.KillAsync();
        }

        Assert.Equal("Provisioning", StatusOf(slug)); // the catalog's own spelling of the status
        return slug;
    }

    private string? StatusOf(string slug)
    {
        var catalog = Path.Combine(_dataDirectory, "catalog.db");
        if (!File.Exists(catalog))
        {
            return null;
        }

        try
        {
            using var connection = new SqliteConnection($"Data Source={catalog};Mode=ReadOnly;Pooling=False");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT status FROM environments WHERE slug = $slug";
            command.Parameters.AddWithValue("$slug", slug);
            return command.ExecuteScalar() as string;
        }
        catch (SqliteException)
        {
            return null; // Busy or mid-migration: look again.
        }
    }
}
