using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Memic.Azure.Tests.Search.Pool;

/// <summary>
/// Fake time that says when someone starts waiting for it, so a test moves the clock exactly when a caller is queued
/// behind the create-index budget, instead of polling. (Also compiled into Memic.Embedded.Tests.)
/// </summary>
internal sealed class SignallingTime(FakeTimeProvider fake) : TimeProvider
{
    private readonly Channel<TimeSpan> _waits = Channel.CreateUnbounded<TimeSpan>();

    public FakeTimeProvider Fake => fake;

    public override DateTimeOffset GetUtcNow() => fake.GetUtcNow();

    public override long GetTimestamp() => fake.GetTimestamp();

    public override long TimestampFrequency => fake.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => fake.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = fake.CreateTimer(callback, state, dueTime, period);
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            _waits.Writer.TryWrite(dueTime);
        }

        return timer;
    }

    /// <summary>Returns once <paramref name="count"/> more waits have started (a queue is blocked until time passes).</summary>
    public async Task WaitForWaitsAsync(int count, CancellationToken cancellationToken)
    {
        for (var i = 0; i < count; i++)
        {
            await _waits.Reader.ReadAsync(cancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        }
    }

    /// <summary>Moves time forward each time someone waits, until <paramref name="work"/> ends.</summary>
    public async Task RunUntilDoneAsync(Task work, CancellationToken cancellationToken)
    {
        while (!work.IsCompleted)
        {
            var wait = _waits.Reader.ReadAsync(cancellationToken).AsTask();
            if (await Task.WhenAny(work, wait) == wait)
            {
                fake.Advance(await wait);
            }
        }

        await work;
    }
}
