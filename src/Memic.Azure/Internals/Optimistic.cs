using Azure;
using Memic.Core.Errors;

namespace Memic.Azure.Internals;

/// <summary>Compare-and-set loops: read with an ETag, write conditionally, and on losing a race read again.</summary>
internal static class Optimistic
{
    public const int MaxAttempts = 25;

    /// <summary>Another writer got there first: the row changed (412), appeared (409) or went (404) since it was read.</summary>
    public static bool LostRace(RequestFailedException exception) => exception.Status is 404 or 409 or 412;

    /// <summary>A short random pause, growing with the attempt, so contending writers stop colliding.</summary>
    public static Task PauseAsync(int attempt, CancellationToken cancellationToken) =>
        Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 5 * Math.Min(attempt, 20))), cancellationToken);

    public static TransientException GaveUp(string what) =>
        new($"{what} kept changing concurrently; retry the request.");
}
