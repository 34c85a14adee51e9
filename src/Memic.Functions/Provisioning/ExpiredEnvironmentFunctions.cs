using Memic.Core.Tenancy;
using Microsoft.Azure.Functions.Worker;

namespace Memic.Functions.Provisioning;

/// <summary>Deletes expired environments (CONTRACT §16) through the same resumable deletion as DELETE.</summary>
public sealed class ExpiredEnvironmentFunctions(ExpiredEnvironmentSweep sweep)
{
    /// <summary>
    /// Every minute, well inside the contract's 5 minutes. A fixed schedule: a timer's schedule is read when the host
    /// indexes functions, before app configuration binds (the local server's interval is Memic:Environments:SweepInterval).
    /// </summary>
    public const string SweepSchedule = "0 * * * * *";

    [Function("DeleteExpiredEnvironments")]
    public Task DeleteExpiredEnvironments([TimerTrigger(SweepSchedule)] TimerInfo timer, CancellationToken cancellationToken) =>
        sweep.RunAsync(cancellationToken);
}
