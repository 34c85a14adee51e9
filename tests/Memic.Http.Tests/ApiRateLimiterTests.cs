using Memic.Core.Errors;
using Memic.Http.RateLimiting;
using Microsoft.Extensions.Options;

namespace Memic.Http.Tests;

public sealed class ApiRateLimiterTests
{
    private static ApiRateLimiter Limiter(RateLimitOptions options) => new(Options.Create(options));

    [Fact]
    public void Budget_is_per_key_and_per_category()
    {
        using var limiter = Limiter(new RateLimitOptions { Search = 2, Chat = 1 });
        var key = Guid.NewGuid();

        limiter.Acquire(key, RateLimitCategory.Search);
        limiter.Acquire(key, RateLimitCategory.Search);
        var limited = Assert.Throws<RateLimitedException>(() => limiter.Acquire(key, RateLimitCategory.Search));

        Assert.InRange(limited.RetryAfter, TimeSpan.FromTicks(1), TimeSpan.FromMinutes(1));
        limiter.Acquire(key, RateLimitCategory.Chat);
        limiter.Acquire(Guid.NewGuid(), RateLimitCategory.Search);
    }

    [Fact]
    public void Disabled_limits_never_refuse()
    {
        using var limiter = Limiter(new RateLimitOptions { Enabled = false, Search = 1 });
        var key = Guid.NewGuid();

        for (var i = 0; i < 100; i++)
        {
            limiter.Acquire(key, RateLimitCategory.Search);
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
