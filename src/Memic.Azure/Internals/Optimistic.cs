using Azure;
using Memic.Core.Errors;

namespace Memic.Azure.Internals;

/// <summary>Compare-and-set loops: read with an ETag, write conditionally, and on losing a race read again.</summary>
internal static class Optimistic
{
    public const int MaxAttempts = 25;

    /// <summary>Another writer got there first: the row changed (412), appeared (409) or went (404) since it was read.</summary>
    public static bool LostRace(RequestFailedException exception) => exception.Status is 404 or 409 or 412;

    /// <summary>
    /// A random pause up to a bound that doubles with each attempt (10 ms, 20 ms, … up to a second), so contending
    /// writers spread out until one at a time gets through, however many there are.
    /// </summary>
    public static Task PauseAsync(int attempt, CancellationToken cancellationToken) =>
        Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, Math.Min(5 << Math.Min(attempt, 8), 1000))), cancellationToken);

    public static TransientException GaveUp(string what) =>
        new($"{what} kept changing concurrently; retry the request.");
}
