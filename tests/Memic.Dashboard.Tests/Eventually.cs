using System.Diagnostics;

namespace Memic.Dashboard.Tests;

/// <summary>Polls a condition outside the browser (an API answer) until it holds, or fails saying what was awaited.</summary>
internal static class Eventually
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    public static async Task HoldsAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > timeout)
            {
                Assert.Fail($"Waited {timeout.TotalSeconds:0} s for {what}.");
            }

            await Task.Delay(Interval, TestContext.Current.CancellationToken);
        }
    }
}
