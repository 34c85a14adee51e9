using System.Security.Cryptography;
using Memic.Client;
using Memic.Server.Tests;

namespace Memic.Client.Tests;

/// <summary>
/// One real local server process (<c>dotnet run --project src/Memic.Server</c>) on a free port and a fresh data
/// directory, with a chosen admin key. Shared by a whole test class or the assembly, so CI starts few of them.
/// </summary>
public class LocalServer : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("memic-client-tests-").FullName;
    private ServerProcess? _process;

    /// <summary>The server's address, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public Uri Url { get; private set; } = null!;

    public string AdminKey { get; } = "mk_admin_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The key of the <c>production</c> environment the server creates on first start.</summary>
    public string ProductionApiKey { get; private set; } = null!;

    /// <summary>Settings beyond the admin key; rate limits are off so that polling tests are never throttled.</summary>
    protected virtual IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Memic__RateLimits__Enabled"] = "false",
    };

    public async ValueTask InitializeAsync()
    {
        var environment = new Dictionary<string, string>(Settings)
        {
            ["MEMIC_ADMIN_KEY"] = AdminKey,
            // A revoked key stops working within a second, so revocation is observable without a long wait.
            ["Memic__Keys__PositiveCacheTtl"] = "00:00:01",
        };
        _process = ServerProcess.StartServer(_dataDirectory, environment);
        var cancellation = TestContext.Current.CancellationToken;
        Url = new Uri((await _process.WaitForAsync(ServerProcess.RunningAt(), StartTimeout, cancellation)).Groups["url"].Value);
        ProductionApiKey = (await _process.WaitForAsync(ServerProcess.ApiKeyLine(), StartTimeout, cancellation)).Groups["key"].Value;
        await OnStartedAsync(cancellation);
    }

    /// <summary>Runs once the server answers, before any test.</summary>
    protected virtual Task OnStartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        Directory.Delete(_dataDirectory, recursive: true);
        GC.SuppressFinalize(this);
    }

    public MemicClientOptions Options(string? apiKey = null) => new()
    {
        ApiKey = apiKey ?? ProductionApiKey,
        BaseUrl = Url,
        AdminKey = AdminKey,
    };

    public MemicAdminClient Admin() => new(Options());

    /// <summary>A new environment of its own for one test, and a client on its first key.</summary>
    public async Task<(MemicEnvironment Environment, MemicClient Client)> NewEnvironmentAsync(string prefix)
    {
        var (environment, apiKey) = await NewEnvironmentKeyAsync(prefix);
        return (environment, new MemicClient(Options(apiKey)));
    }

    /// <summary>A new environment of its own for one test, and its first key.</summary>
    public async Task<(MemicEnvironment Environment, string ApiKey)> NewEnvironmentKeyAsync(string prefix)
    {
        using var admin = Admin();
        var slug = $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];
        var created = await admin.CreateEnvironmentAsync(new CreateEnvironmentRequest(slug), TestContext.Current.CancellationToken);
        var environment = created.Environment.Status == EnvironmentStatus.Ready
            ? created.Environment
            : await admin.WaitUntilEnvironmentReadyAsync(created.Environment.Id, TimeSpan.FromMinutes(1), TimeSpan.FromMilliseconds(100), TestContext.Current.CancellationToken);
        return (environment, created.ApiKey);
    }
}
