using System.Net.Http.Json;
using System.Text.Json;

namespace Memic.Dashboard.Tests;

/// <summary>One server and one browser for a whole test class (browser starts dominate the wall time), with an admin
/// and a member of the default organization.</summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    public const string OwnerEmail = "owner@localhost";
    public const string AdminEmail = "admin@example.test";
    public const string MemberEmail = "member@example.test";
    public const string Password = "correct horse battery staple 42";

    private readonly SemaphoreSlim _usersCreated = new(1, 1);
    private Browser? _browser;
    private bool _haveUsers;

    public DashboardServer Server { get; } = new();

    public Browser Browser => _browser ?? throw new InvalidOperationException("The browser starts in InitializeAsync.");

    public Guid OrganizationId { get; private set; }

    /// <summary>
    /// The browser tests run where Chromium is installed, and always in CI (scripts/test.sh installs it there, so a
    /// missing browser fails the run instead of skipping it). A developer machine without it skips them, saying why.
    /// </summary>
    public static bool CanRun => Browser.IsInstalled || Environment.GetEnvironmentVariable("CI") == "true";

    public const string SkipReason = "Needs Debian's chromium and chromium-driver; scripts/test.sh installs them (as root).";

    public async ValueTask InitializeAsync()
    {
        if (!CanRun)
        {
            return;
        }

        var ct = TestContext.Current.CancellationToken;
        Server.Start();
        using var admin = Server.AdminClient();
        var environments = await admin.GetFromJsonAsync<JsonElement>("/api/admin/v1/environments", ct);
        OrganizationId = environments.EnumerateArray().First().GetProperty("organization_id").GetGuid();
        _browser = new Browser(Server.BaseAddress);
    }

    /// <summary>The admin and the member of the default organization, created once for the class.</summary>
    public async Task EnsureUsersAsync()
    {
        await _usersCreated.WaitAsync(TestContext.Current.CancellationToken);
        try
        {
            if (!_haveUsers)
            {
                var ct = TestContext.Current.CancellationToken;
                await Server.CreateUserAsync(OrganizationId, AdminEmail, "admin", Password, ct);
                await Server.CreateUserAsync(OrganizationId, MemberEmail, "member", Password, ct);
                _haveUsers = true;
            }
        }
        finally
        {
            _usersCreated.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _browser?.Dispose();
        _usersCreated.Dispose();
        await Server.DisposeAsync();
    }
}
