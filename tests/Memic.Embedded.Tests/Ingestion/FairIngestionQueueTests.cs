using Memic.Embedded.Ingestion;

namespace Memic.Embedded.Tests.Ingestion;

public sealed class FairIngestionQueueTests
{
    private static readonly Guid A = Guid.NewGuid();
    private static readonly Guid B = Guid.NewGuid();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Environments_take_turns_and_none_runs_more_than_its_share()
    {
        using var queue = new FairIngestionQueue(perEnvironment: 1);
        var aFiles = Enumerable.Range(0, 3).Select(_ => Guid.NewGuid()).ToList();
        var bFile = Guid.NewGuid();
        aFiles.ForEach(f => queue.Add(A, f));
        queue.Add(B, bFile);

        var first = await queue.TakeAsync(Ct);
        var second = await queue.TakeAsync(Ct);
        var third = queue.TakeAsync(Ct);

        Assert.Equal((A, aFiles[0]), first);
        Assert.Equal((B, bFile), second);
        Assert.False(third.IsCompleted, "A already runs its one file");
        queue.Finished(B);
        Assert.False(third.IsCompleted, "B finishing frees nothing for A");
        queue.Finished(A);
        Assert.Equal((A, aFiles[1]), await third.WaitAsync(TimeSpan.FromSeconds(10), Ct));
    }

    [Fact]
    public async Task A_waiting_taker_gets_a_file_added_later()
    {
        using var queue = new FairIngestionQueue(perEnvironment: 2);
        var fileId = Guid.NewGuid();
        var taking = queue.TakeAsync(Ct);

        queue.Add(B, fileId);

        Assert.Equal((B, fileId), await taking.WaitAsync(TimeSpan.FromSeconds(10), Ct));
        Assert.Equal(1, queue.RunningIn(B));
    }
}
