using Memic.Azure.Queues;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Memic.Azure.Tests;

/// <summary>The per-environment cap on concurrent ingestions, held as slots in Table Storage (Azurite).</summary>
public sealed class AzureTableIngestionSlotsTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(35);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 3, 10, 0, 0, TimeSpan.Zero));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private AzureTableIngestionSlots Slots(string prefix, int cap) =>
        new(Azurite.TableService(), Azurite.TableOptions(prefix), Options.Create(new IngestionSlotOptions { MaxConcurrentPerEnvironment = cap, SlotLease = Lease }), _time);

    [Fact]
    public async Task A_capped_environment_gets_no_slot_until_one_is_released_while_another_environment_is_unaffected()
    {
        await Azurite.RequireAsync();
        var prefix = Azurite.UniqueName("Slots");
        var first = Slots(prefix, cap: 1);
        var otherInstance = Slots(prefix, cap: 1);
        var (a, b) = (Guid.NewGuid(), Guid.NewGuid());

        var running = await first.TryAcquireAsync(a, Guid.NewGuid(), Ct);
        var capped = await otherInstance.TryAcquireAsync(a, Guid.NewGuid(), Ct);
        var otherEnvironment = await otherInstance.TryAcquireAsync(b, Guid.NewGuid(), Ct);
        await first.ReleaseAsync(running!, Ct);
        var afterRelease = await otherInstance.TryAcquireAsync(a, Guid.NewGuid(), Ct);

        Assert.NotNull(running);
        Assert.Null(capped);
        Assert.NotNull(otherEnvironment);
        Assert.NotNull(afterRelease);
    }

    [Fact]
    public async Task A_slot_whose_holder_crashed_expires_and_is_taken_over_and_the_late_release_does_not_free_it()
    {
        await Azurite.RequireAsync();
        var prefix = Azurite.UniqueName("Slots");
        var slots = Slots(prefix, cap: 1);
        var environment = Guid.NewGuid();
        var crashed = await slots.TryAcquireAsync(environment, Guid.NewGuid(), Ct);

        _time.Advance(Lease - TimeSpan.FromSeconds(1));
        var beforeExpiry = await slots.TryAcquireAsync(environment, Guid.NewGuid(), Ct);
        _time.Advance(TimeSpan.FromSeconds(2));
        var takenOver = await slots.TryAcquireAsync(environment, Guid.NewGuid(), Ct);
        await slots.ReleaseAsync(crashed!, Ct);
        var afterStaleRelease = await slots.TryAcquireAsync(environment, Guid.NewGuid(), Ct);

        Assert.NotNull(crashed);
        Assert.Null(beforeExpiry);
        Assert.NotNull(takenOver);
        Assert.Null(afterStaleRelease);
    }

    [Fact]
    public async Task A_redelivered_file_takes_back_its_own_slot()
    {
        await Azurite.RequireAsync();
        var slots = Slots(Azurite.UniqueName("Slots"), cap: 1);
        var (environment, file) = (Guid.NewGuid(), Guid.NewGuid());

        var first = await slots.TryAcquireAsync(environment, file, Ct);
        var again = await slots.TryAcquireAsync(environment, file, Ct);

        Assert.NotNull(first);
        Assert.NotNull(again);
        Assert.Equal(first!.Index, again!.Index);
    }
}
