using System.Net;
using System.Net.Http.Json;
using System.Text;
using Memic.Core.Keys;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using static Memic.Server.Tests.Wire;

namespace Memic.Server.Tests;

/// <summary>
/// The local server's background warm-up (LocalServerStartup, docs/benchmarks.md "The first search after start") takes
/// the latest environments' search paths at start without counting a search or meeting a quota.
/// </summary>
public sealed class SearchWarmUpTests : IDisposable
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("memic-warm-up-test-").FullName;
    private readonly string _adminKey = ApiKeyFormat.NewAdminKey();

    public void Dispose() => Directory.Delete(_dataDirectory, recursive: true);

    [Fact]
    public async Task Warming_up_an_environment_whose_search_quota_is_used_up_counts_no_search_and_fails_nothing()
    {
        Guid environmentId;
        using (var first = new MemicServerFactory { SharedDataDirectory = _dataDirectory, AdminKey = _adminKey })
        {
            using var admin = first.AdminClient();
            (environmentId, var key) = await admin.CreateEnvironmentAsync("warmed");
            using var client = first.DataClient(key);
            using var form = new MultipartFormDataContent
            {
                { new ByteArrayContent(Encoding.UTF8.GetBytes("Invoices are numbered per year, starting at one each January.")), "file", "invoices.txt" },
            };
            var file = await (await client.PostAsync("/api/v1/files", form, Ct)).ExpectAsync(HttpStatusCode.Created);
            var seen = new List<string> { file.GetProperty("status").GetString()! };
            Assert.Equal("ready", (await Uploads.WaitForTerminalAsync(client, file.GetProperty("id").GetGuid(), seen)).GetProperty("status").GetString());
            await (await admin.PutAsJsonAsync($"/api/admin/v1/environments/{environmentId}/quotas", new { max_monthly_searches = 1 }, Ct)).ExpectAsync(HttpStatusCode.OK);
            await (await client.PostAsJsonAsync("/api/v1/search", new { query = "invoice numbering" }, Ct)).ExpectAsync(HttpStatusCode.OK);
        }

        var logs = new CapturedLogs();
        using var restarted = new MemicServerFactory
        {
            SharedDataDirectory = _dataDirectory,
            AdminKey = _adminKey,
            TestServices = services => services.AddSingleton<ILoggerProvider>(logs),
        };
        using var restartedAdmin = restarted.AdminClient();
        var startup = restarted.Services.GetServices<IHostedService>().OfType<LocalServerStartup>().Single();
        await startup.WarmedUp.WaitAsync(TimeSpan.FromMinutes(1), Ct);

        var quotas = await (await restartedAdmin.GetAsync($"/api/admin/v1/environments/{environmentId}/quotas", Ct)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(1, quotas.GetProperty("usage").GetProperty("monthly_searches").GetInt64());
        Assert.DoesNotContain(logs.Lines, l => l.Contains("Warming up failed", StringComparison.Ordinal));
    }
}
