using System.Runtime.InteropServices;
using Memic.Core.Ports;
using Memic.Core.Quotas;
using Memic.Core.Usage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Memic.Benchmarks;

/// <summary>What the command-style benchmarks share: the machine they ran on, percentiles, and a search service's usage meter.</summary>
internal static class BenchSupport
{
    /// <summary>CPU, cores, OS, runtime and the load average when called: on a shared 2-core machine the load explains the spread.</summary>
    public static string Machine()
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        return $"{cpu ?? RuntimeInformation.ProcessArchitecture.ToString()}, {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}";
    }

    /// <summary>The 1, 5 and 15 minute load averages, or "n/a" where /proc is missing.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    /// <summary>
    /// Share of the machine's cores that other processes kept busy since <paramref name="from"/> (a <see cref="CpuSnapshot"/>
    /// taken earlier): the load average lags by a minute, and on 2 shared cores another build changes latency twofold.
    /// </summary>
    public static double OtherProcessesCpuShare(CpuSnapshot from)
    {
        var to = CpuSnapshot.Take();
        var wall = (to.At - from.At).TotalSeconds;
        var machineBusy = (to.MachineBusyTicks - from.MachineBusyTicks) / ClockTicksPerSecond;
        var ours = (to.ProcessCpu - from.ProcessCpu).TotalSeconds;
        return wall <= 0 || to.MachineBusyTicks < 0 ? double.NaN : Math.Clamp((machineBusy - ours) / (wall * Environment.ProcessorCount), 0, 1);
    }

    /// <summary>Nearest-rank percentile of an ascending list.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    /// <summary>A meter whose counts go nowhere: search records usage on every call, and these runs are not billed.</summary>
    public static UsageMeter DiscardedUsage() =>
        new(new DiscardedUsageCatalog(), Options.Create(new UsageOptions()), TimeProvider.System, NullLogger<UsageMeter>.Instance);

    /// <summary>Quotas that never refuse: these runs measure search, not an environment's allowance.</summary>
    public static QuotaService NoQuotas(UsageMeter usage) =>
        new(new UnlimitedQuotaCatalog(), usage, Options.Create(new UsageOptions()), TimeProvider.System);

    /// <summary>Bench data under bench/data, found by walking up from the build output.</summary>
    public static string FindDataDirectory(string name)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "bench", "data", name);
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"bench/data/{name} not found above {AppContext.BaseDirectory}");
    }

    /// <summary>Linux's USER_HZ, the unit of /proc/stat, which is 100 on every mainstream architecture.</summary>
    private const double ClockTicksPerSecond = 100;

    /// <summary>Busy time of the whole machine (from /proc/stat; -1 where it is missing) and of this process at one moment.</summary>
    internal readonly record struct CpuSnapshot(DateTimeOffset At, long MachineBusyTicks, TimeSpan ProcessCpu)
    {
        public static CpuSnapshot Take()
        {
            using var process = System.Diagnostics.Process.GetCurrentProcess();
            var busy = -1L;
            if (File.Exists("/proc/stat"))
            {
                // cpu user nice system idle iowait irq softirq steal: busy is everything but idle and iowait.
                var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8)
                    .Select(f => long.Parse(f, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
                busy = fields.Sum() - fields[3] - fields[4];
            }

            return new CpuSnapshot(DateTimeOffset.UtcNow, busy, process.TotalProcessorTime);
        }
    }

    private sealed class DiscardedUsageCatalog : IUsageCatalog
    {
        public Task WriteUsageAsync(Guid instanceId, IReadOnlyList<UsageSlice> slices, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<IReadOnlyList<HourlyUsage>> GetUsageAsync(Guid environmentId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<HourlyUsage>>([]);
    }

    private sealed class UnlimitedQuotaCatalog : IQuotaCatalog
    {
        public Task<EnvironmentQuotas> GetQuotasAsync(Guid environmentId, CancellationToken cancellationToken) =>
            Task.FromResult(EnvironmentQuotas.Unlimited);

        public Task SetQuotasAsync(Guid environmentId, EnvironmentQuotas quotas, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<EnvironmentHoldings> GetHoldingsAsync(Guid environmentId, CancellationToken cancellationToken) =>
            Task.FromResult(new EnvironmentHoldings(0, 0));
    }
}
