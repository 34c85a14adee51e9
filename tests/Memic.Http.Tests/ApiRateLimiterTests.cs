using Memic.Core.Errors;
using Memic.Http.RateLimiting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Memic.Http.Tests;

public sealed class ApiRateLimiterTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ApiRateLimiter Limiter(RateLimitOptions options) => new(Options.Create(options), TimeProvider.System, NullLogger<ApiRateLimiter>.Instance);

    [Fact]
    public async Task Budget_is_per_key_and_per_category()
    {
        using var limiter = Limiter(new RateLimitOptions { Search = 2, Chat = 1 });
        var key = Guid.NewGuid();

        await limiter.AcquireAsync(key, RateLimitCategory.Search, Ct);
        await limiter.AcquireAsync(key, RateLimitCategory.Search, Ct);
        var limited = await Assert.ThrowsAsync<RateLimitedException>(() => limiter.AcquireAsync(key, RateLimitCategory.Search, Ct).AsTask());

        Assert.InRange(limited.RetryAfter, TimeSpan.FromTicks(1), TimeSpan.FromMinutes(1));
        await limiter.AcquireAsync(key, RateLimitCategory.Chat, Ct);
        await limiter.AcquireAsync(Guid.NewGuid(), RateLimitCategory.Search, Ct);
    }

    [Fact]
    public async Task Disabled_limits_never_refuse()
    {
        using var limiter = Limiter(new RateLimitOptions { Enabled = false, Search = 1 });
        var key = Guid.NewGuid();

        for (var i = 0; i < 100; i++)
        {
            await limiter.AcquireAsync(key, RateLimitCategory.Search, Ct);
        }
    }

    [Fact]
    public void Contract_defaults_are_the_documented_limits()
    {
        var defaults = new RateLimitOptions();

        Assert.Equal(
            [60, 30, 120, 300, 120, 600],
            new[] { RateLimitCategory.Search, RateLimitCategory.Chat, RateLimitCategory.Files, RateLimitCategory.Status, RateLimitCategory.Lists, RateLimitCategory.Prompts }
                .Select(defaults.LimitFor));
        Assert.True(defaults.Enabled);
    }
}
