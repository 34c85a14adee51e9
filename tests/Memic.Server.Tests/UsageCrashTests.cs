using System.Diagnostics;
using System.Net;
using Memic.Core.Keys;
using Microsoft.Data.Sqlite;
using static Memic.Server.Tests.Wire;

namespace Memic.Server.Tests;

/// <summary>
/// CONTRACT §17: metering never over-counts, and a crash loses at most one flush interval of one instance's counts.
/// A real server process is killed with SIGKILL while requests are being counted, then started again on the same data.
/// </summary>
public sealed class UsageCrashTests : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(1);

    /// <summary>Beyond the flush interval, what a write may take on a loaded machine; counts older than both must be stored.</summary>
    private static readonly TimeSpan WriteAllowance = TimeSpan.FromSeconds(2);

    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("memic-usage-kill-").FullName;
    private readonly string _adminKey = ApiKeyFormat.NewAdminKey();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    [Fact]
    public async Task Killed_while_counting_the_stored_usage_has_everything_but_the_last_flush_interval_and_nothing_extra()
    {
        var settings = new Dictionary<string, string>
        {
            ["Memic__RateLimits__Enabled"] = "false",
            ["Memic__Usage__FlushInterval"] = FlushInterval.ToString(),
            ["MEMIC_ADMIN_KEY"] = _adminKey,
        };
        var completedAt = new List<TimeSpan>();
        var clock = Stopwatch.StartNew();
        TimeSpan killedAt;
        string key;
        await using (var first = ServerProcess.StartServer(_dataDirectory, settings))
        {
            key = (await first.WaitForAsync(ServerProcess.ApiKeyLine(), StartTimeout, Ct)).Groups["key"].Value;
            var url = first.Seen.Select(l => ServerProcess.RunningAt().Match(l)).Single(m => m.Success).Groups["url"].Value;
            using var client = Client(url, "X-API-Key", key);

            // Enough that some flushes happen meanwhile; then kill at once, mid-interval.
            for (var i = 0; i < 60; i++)
            {
                await (await client.GetAsync("/api/v1/me", Ct)).ExpectAsync(HttpStatusCode.OK);
                completedAt.Add(clock.Elapsed);
                if (i == 29)
                {
                    await WaitUntilStoredAsync(atLeast: 30);
                }
            }

            killedAt = clock.Elapsed;
            await first.KillAsync();
        }

        await using var second = ServerProcess.StartServer(_dataDirectory, settings);
        var secondUrl = (await second.WaitForAsync(ServerProcess.RunningAt(), StartTimeout, Ct)).Groups["url"].Value;
        using var again = Client(secondUrl, "X-API-Key", key);
        var environmentId = (await (await again.GetAsync("/api/v1/me", Ct)).ExpectAsync(HttpStatusCode.OK)).GetProperty("environment_id").GetGuid();
        using var admin = Client(secondUrl, "X-Admin-Key", _adminKey);
        var usage = await (await admin.GetAsync($"/api/admin/v1/environments/{environmentId}/usage", Ct)).ExpectAsync(HttpStatusCode.OK);

        // The request just made by the second process is its own, counted once as well.
        var metered = usage.GetProperty("totals").GetProperty("requests").GetInt64() - 1;
        var surelyStored = completedAt.Count(at => at < killedAt - FlushInterval - WriteAllowance);
        Assert.InRange(metered, Math.Max(30, surelyStored), completedAt.Count);
    }

    /// <summary>Waits until the catalog on disk holds at least this many requests: flushes are happening.</summary>
    private async Task WaitUntilStoredAsync(long atLeast)
    {
        var connection = $"Data Source={Path.Combine(_dataDirectory, "catalog.db")};Mode=ReadOnly;Pooling=False";
        await Uploads.WaitUntilAsync(async () =>
        {
            await using var db = new SqliteConnection(connection);
            await db.OpenAsync(Ct);
            await using var command = db.CreateCommand();
            command.CommandText = "SELECT COALESCE(SUM(requests), 0) FROM usage_hourly";
            return (long)(await command.ExecuteScalarAsync(Ct))! >= atLeast;
        }, TimeSpan.FromSeconds(60));
    }

    private static HttpClient Client(string url, string header, string key)
    {
        var client = new HttpClient { BaseAddress = new Uri(url) };
        client.DefaultRequestHeaders.Add(header, key);
        return client;
    }
}
