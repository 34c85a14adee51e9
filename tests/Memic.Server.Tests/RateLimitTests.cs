using System.Net;
using static Memic.Server.Tests.Wire;

namespace Memic.Server.Tests;

/// <summary>CONTRACT §12: per key, per category, with 429 and Retry-After.</summary>
public sealed class RateLimitTests : IDisposable
{
    private readonly MemicServerFactory _server = new()
    {
        Settings = new Dictionary<string, string>
        {
            ["Memic:RateLimits:Enabled"] = "true",
            ["Memic:RateLimits:Status"] = "3",
            ["Memic:RateLimits:Lists"] = "2",
        },
    };

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task Key_over_its_budget_gets_429_with_retry_after_and_other_keys_and_categories_are_unaffected()
    {
        using var admin = _server.AdminClient();
        var (_, busyKey) = await admin.CreateEnvironmentAsync("busy");
        var (_, calmKey) = await admin.CreateEnvironmentAsync("calm");
        using var busy = _server.DataClient(busyKey);

        for (var i = 0; i < 3; i++)
        {
            await (await busy.GetAsync("/api/v1/me", Ct)).ExpectAsync(HttpStatusCode.OK);
        }

        var limited = await busy.GetAsync("/api/v1/sdk/me", Ct);
        await limited.ExpectErrorAsync(HttpStatusCode.TooManyRequests, "rate_limit_exceeded");
        var retryAfter = limited.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));

        await (await busy.GetAsync("/api/v1/projects", Ct)).ExpectAsync(HttpStatusCode.OK);
        await (await _server.DataClient(calmKey).GetAsync("/api/v1/me", Ct)).ExpectAsync(HttpStatusCode.OK);
    }
}
