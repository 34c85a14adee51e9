using System.Net;
using Memic.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using static Memic.Server.Tests.Wire;

namespace Memic.Server.Tests;

/// <summary>
/// Several instances of one deployment: hosts that share one key store (one data directory) and one Azurite table
/// prefix, so whatever they count through Table Storage they count together.
/// </summary>
internal sealed class SharedAzuriteHosts : IAsyncDisposable
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("memic-shared-hosts-").FullName;
    private readonly List<MemicServerFactory> _hosts = [];

    public IReadOnlyList<MemicServerFactory> Hosts => _hosts;

    /// <summary>Starts <paramref name="instances"/> hosts with the shared catalog settings added to <paramref name="settings"/>.</summary>
    public static async Task<SharedAzuriteHosts> StartAsync(
        int instances, IReadOnlyDictionary<string, string> settings, Action<IServiceCollection>? testServices = null)
    {
        await Azurite.RequireAsync();
        var shared = new SharedAzuriteHosts();
        var prefix = "S" + Guid.NewGuid().ToString("N")[..12];
        var adminKey = Memic.Core.Keys.ApiKeyFormat.NewAdminKey();
        for (var i = 0; i < instances; i++)
        {
            var host = new MemicServerFactory
            {
                SharedDataDirectory = shared._dataDirectory,
                AdminKey = adminKey,
                Settings = new Dictionary<string, string>(settings)
                {
                    ["Memic:Catalog:ConnectionString"] = Azurite.ConnectionString,
                    ["Memic:Catalog:TablePrefix"] = prefix,
                },
                TestServices = testServices,
            };

            // One at a time: the first start creates the data directory's default environment.
            using var ready = host.CreateClient();
            await (await ready.GetAsync("/health", Ct)).ExpectAsync(HttpStatusCode.OK);
            shared._hosts.Add(host);

            // Settled before the test starts: a warm-up still running would read (and cache, for QuotaReadInterval)
            // the quotas of an environment the test has just created, before the test sets them.
            await host.Services.GetServices<IHostedService>().OfType<LocalServerStartup>().Single().WarmedUp.WaitAsync(TimeSpan.FromMinutes(2), Ct);
        }

        return shared;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dataDirectory, recursive: true);
    }
}
