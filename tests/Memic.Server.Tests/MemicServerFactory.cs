using Memic.Core.Keys;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Memic.Server.Tests;

/// <summary>The local server in memory, on a data directory of its own, with a known admin key.</summary>
public sealed class MemicServerFactory : WebApplicationFactory<Program>
{
    private readonly string _temporaryDirectory = Directory.CreateTempSubdirectory("memic-server-test-").FullName;
    private readonly StartupFailureLog _startupFailures = new();

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

        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning).AddProvider(_startupFailures));
    }

    /// <summary>
    /// Starts the server expecting it to refuse, and returns why. The host logs the failure before the entry point
    /// ends; what <see cref="WebApplicationFactory{TEntryPoint}"/> then throws depends on a race (the failure itself or
    /// an <see cref="ObjectDisposedException"/> from the already disposed host), so the logged exception is the answer.
    /// </summary>
    public Exception StartupFailure()
    {
        var thrown = Record.Exception(() => CreateClient())
            ?? throw new Xunit.Sdk.XunitException("The server started, but a failure to start was expected.");
        return _startupFailures.Failure ?? thrown;
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

/// <summary>Keeps the exception the generic host logs when it fails to start.</summary>
internal sealed class StartupFailureLog : ILoggerProvider
{
    private const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";

    public Exception? Failure { get; private set; }

    public ILogger CreateLogger(string categoryName) => categoryName == HostCategory ? new HostLogger(this) : NullLogger.Instance;

    public void Dispose()
    {
    }

    private sealed class HostLogger(StartupFailureLog log) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Error && exception is not null)
            {
                log.Failure ??= exception;
            }
        }
    }
}
