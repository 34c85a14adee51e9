using System.ClientModel.Primitives;
using System.Globalization;
using Azure;

namespace Memic.Azure.Internals;

/// <summary>
/// How long a response asks the caller to wait before trying again: <c>retry-after-ms</c> or <c>x-ms-retry-after-ms</c>
/// (Azure's millisecond forms), else <c>Retry-After</c> as seconds or an HTTP date. The one reading of these headers for
/// every Azure and OpenAI client of the app.
/// </summary>
internal static class RetryAfter
{
    /// <summary>Longer than any wait worth honouring; callers cap far below it, this only keeps the arithmetic finite.</summary>
    private static readonly TimeSpan Longest = TimeSpan.FromDays(1);

    public static TimeSpan? Read(Func<string, string?> header, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(header);
        foreach (var name in (string[])["retry-after-ms", "x-ms-retry-after-ms"])
        {
            if (double.TryParse(header(name), NumberStyles.Float, CultureInfo.InvariantCulture, out var milliseconds) && milliseconds >= 0)
            {
                return milliseconds < Longest.TotalMilliseconds ? TimeSpan.FromMilliseconds(milliseconds) : Longest;
            }
        }

        var value = header("Retry-After")?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return seconds < Longest.TotalSeconds ? TimeSpan.FromSeconds(seconds) : Longest;
        }

        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at > now ? at - now : TimeSpan.Zero
            : null;
    }

    public static TimeSpan? Read(Response response, DateTimeOffset now) =>
        Read(name => response.Headers.TryGetValue(name, out var value) ? value : null, now);

    public static TimeSpan? Read(PipelineResponse response, DateTimeOffset now) =>
        Read(name => response.Headers.TryGetValue(name, out var value) ? value : null, now);

    public static TimeSpan? Read(HttpResponseMessage response, DateTimeOffset now) =>
        Read(name => response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null, now);
}
