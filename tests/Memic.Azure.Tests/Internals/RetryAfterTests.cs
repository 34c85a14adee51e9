using Memic.Azure.Internals;

namespace Memic.Azure.Tests.Internals;

/// <summary>The one reading of Retry-After and Azure's millisecond forms, for every Azure and OpenAI client.</summary>
public sealed class RetryAfterTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    private static TimeSpan? Read(params (string Name, string Value)[] headers) =>
        RetryAfter.Read(name => headers.FirstOrDefault(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)).Value, Now);

    [Fact]
    public void Seconds_are_read_as_seconds() => Assert.Equal(TimeSpan.FromSeconds(7), Read(("Retry-After", "7")));

    [Fact]
    public void An_http_date_is_the_wait_until_then() =>
        Assert.Equal(TimeSpan.FromSeconds(90), Read(("Retry-After", Now.AddSeconds(90).ToString("R"))));

    [Fact]
    public void A_date_already_past_means_no_wait() => Assert.Equal(TimeSpan.Zero, Read(("Retry-After", Now.AddMinutes(-5).ToString("R"))));

    [Theory]
    [InlineData("retry-after-ms")]
    [InlineData("x-ms-retry-after-ms")]
    public void Azure_milliseconds_win_over_retry_after(string header) =>
        Assert.Equal(TimeSpan.FromMilliseconds(250), Read(("Retry-After", "30"), (header, "250")));

    [Theory]
    [InlineData("soon")]
    [InlineData("-3")]
    [InlineData("")]
    public void An_unreadable_value_asks_for_nothing(string value) => Assert.Null(Read(("Retry-After", value)));

    [Fact]
    public void No_header_asks_for_nothing() => Assert.Null(Read());

    [Fact]
    public void An_absurd_wait_stays_finite() => Assert.Equal(TimeSpan.FromDays(1), Read(("Retry-After", "99999999999999")));
}
