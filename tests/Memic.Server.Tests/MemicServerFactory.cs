using Memic.Core.Keys;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Memic.Server.Tests;

/// <summary>The local server in memory, on a data directory of its own, with a known admin key.</summary>
public sealed class MemicServerFactory : WebApplicationFactory<Program>
{
    private readonly string _temporaryDirectory = Directory.CreateTempSubdirectory("memic-server-test-").FullName;

    /// <summary>Defaults to a fresh temporary directory, removed on dispose.</summary>
    public string? SharedDataDirectory { get; init; }

    public string DataDirectory => SharedDataDirectory ?? _temporaryDirectory;

    public string AdminKey { get; init; } = ApiKeyFormat.NewAdminKey();

    /// <summary>Service overrides applied after the host's own registrations, e.g. a recording decorator.</summary>
    public Action<IServiceCollection>? TestServices { get; init; }

    /// <summary>Extra configuration, e.g. lower rate limits.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Memic:DataDirectory", DataDirectory);
        builder.UseSetting("Memic:Keys:AdminKey", AdminKey);
        // Tests poll file statuses quickly; the limits themselves are tested with their own settings.
        builder.UseSetting("Memic:RateLimits:Enabled", "false");
        foreach (var (name, value) in Settings)
        {
            builder.UseSetting(name, value);
        }

        if (TestServices is { } configure)
        {
            builder.ConfigureTestServices(configure);
        }

        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
    }

    public HttpClient AdminClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add("X-Admin-Key", AdminKey);
        return client;
    }

    public HttpClient DataClient(string apiKey)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add("X-API-Key", apiKey);
        return client;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(_temporaryDirectory, recursive: true);
            }
            catch (IOException)
            {
                // Left to the OS temp cleaner.
            }
        }
    }
}
