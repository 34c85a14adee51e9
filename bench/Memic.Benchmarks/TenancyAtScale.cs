using System.Diagnostics;
using System.Globalization;
using Memic.Azure.Catalog;
using Memic.Azure.Search;
using Memic.Azure.Search.Pool;
using Memic.Core.Tenancy;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Memic.Azure;

namespace Memic.Benchmarks;

/// <summary>
/// Tenancy at scale, simulated: provisions N environments (10,000 by default) on the catalog and the search-service pool
/// with the real placement logic (<see cref="SearchServicePool"/>) and the real create-index queueing
/// (<see cref="SearchServicePool.WaitToCreateIndexAsync"/>), Azure itself faked: search services are "deployed" by a fake
/// deployer, and no index is created. Two phases:
/// <list type="number">
/// <item>Placement, in real time: every environment is created in the catalog and placed, several at once; reports the
/// placement time per environment and how many services the pool grew by. The catalog is the Azure Table catalog on
/// Azurite (<c>--catalog azurite</c>, the default when Azurite answers) or an in-memory one (<c>--catalog memory</c>).</item>
/// <item>Create-index queueing, on a simulated clock: the same environments' create-index calls arrive at
/// <c>--rate</c> signups per second (0: all at once) and wait for their service's budget (12 calls per minute per search
/// unit); reports the queueing delay each one waited, in simulated time.</item>
/// </list>
/// </summary>
internal static class TenancyAtScale
{
    public static async Task<int> RunAsync(string[] args)
    {
        var environments = ArgOr(args, "--environments", 10_000);
        var capacity = ArgOr(args, "--capacity", 50);
        var units = ArgOr(args, "--units", 1);
        var concurrency = ArgOr(args, "--concurrency", 64);
        var rate = ArgOr(args, "--rate", 1.0);
        var tablePort = ArgOr(args, "--table-port", 10002);
        var catalogKind = ArgOr(args, "--catalog", await AzuriteAnswersAsync(tablePort) ? "azurite" : "memory");
        var maxServices = environments / capacity + 2;

        Console.WriteLine($"machine: {BenchSupport.Machine()}");
        Console.WriteLine($"environments {environments}, service capacity {capacity} indexes, {units} search unit(s) per service, catalog {catalogKind}, {concurrency} placements at once, signups {(rate > 0 ? $"{rate}/s" : "all at once")}");

        var (catalog, addEnvironment, cleanup) = await CatalogAsync(catalogKind, tablePort);
        try
        {
            var placement = await PlaceAllAsync(catalog, addEnvironment, environments, capacity, units, maxServices, concurrency);
            Console.WriteLine();
            Console.WriteLine("placement (real time, catalog + pool)");
            Console.WriteLine($"  total {placement.Elapsed.TotalSeconds:F1} s, {environments / placement.Elapsed.TotalSeconds:F0} environments/s");
            Console.WriteLine($"  per environment: p50 {Pct(placement.Milliseconds, 50):F2} ms, p99 {Pct(placement.Milliseconds, 99):F2} ms, max {placement.Milliseconds[^1]:F1} ms");
            Console.WriteLine($"  services: 1 configured + {placement.Grown} grown (fake deployments: {placement.Deployments}); fullest {placement.Counts.Values.Max()}, emptiest {placement.Counts.Values.Min()} of {capacity}");
            Console.WriteLine($"  placements that met 'placements kept changing concurrently' (transient) and were retried: {placement.TransientRetries}");
            Console.WriteLine($"  load average after: {BenchSupport.LoadAverage()}");

            var queueing = await QueueCreateIndexAsync(placement.Placed, units, rate);
            Console.WriteLine();
            Console.WriteLine("create-index queueing (simulated clock, 12 calls/min per search unit per service)");
            Console.WriteLine($"  delay: p50 {Pct(queueing, 50):F1} s, p90 {Pct(queueing, 90):F1} s, p99 {Pct(queueing, 99):F1} s, max {queueing[^1]:F1} s; waited at all: {queueing.Count(d => d > 0)} of {queueing.Count}");
            return 0;
        }
        finally
        {
            await cleanup();
        }
    }

    private sealed record PlacementRun(
        TimeSpan Elapsed, List<double> Milliseconds, int Grown, int Deployments, IReadOnlyDictionary<string, int> Counts,
        List<(Guid Environment, string Service, int Order)> Placed, int TransientRetries);

    private static async Task<PlacementRun> PlaceAllAsync(
        ISearchPlacementCatalog catalog, Func<MemicEnvironment, Task> addEnvironment, int environments, int capacity, int units, int maxServices, int concurrency)
    {
        var deployer = new InstantDeployer();
        var options = Options.Create(new SearchPoolOptions
        {
            Services = [new SearchServiceOptions { Name = "srch-first", Endpoint = new Uri("https://srch-first.search.windows.net"), IndexCapacity = capacity, SearchUnits = units }],
            GrowthIndexCapacity = capacity,
            GrowthSearchUnits = units,
            GrowthNamePrefix = $"srch-bench-{Guid.NewGuid():n}"[..20] + "-",
            MaxServices = maxServices,
        });
        using var pool = new SearchServicePool(catalog, [deployer], options, TimeProvider.System, NullLogger<SearchServicePool>.Instance);
        var ids = Enumerable.Range(0, environments).Select(_ => Guid.CreateVersion7()).ToArray();
        var milliseconds = new double[environments];
        var placed = new (Guid, string, int)[environments];
        var next = -1;
        var retries = 0;
        var total = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < environments)
            {
                var now = DateTimeOffset.UtcNow;
                var started = Stopwatch.GetTimestamp();
                await addEnvironment(new MemicEnvironment(ids[i], $"env-{i}", $"env {i}", Guid.Empty, Guid.Empty, EnvironmentStatus.Ready, now, now));
                SearchServiceLocation location;
                while (true)
                {
                    try
                    {
                        location = await pool.PlaceAsync(ids[i], CancellationToken.None);
                        break;
                    }
                    catch (Memic.Core.Errors.TransientException)
                    {
                        // What a client does with the 503 this becomes: try again. Counted, since it is the contention cost.
                        Interlocked.Increment(ref retries);
                    }
                }

                milliseconds[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                placed[i] = (ids[i], location.Name, i);
            }
        })));
        total.Stop();

        var counts = await catalog.CountPlacementsAsync(CancellationToken.None);
        var grown = (await catalog.ListSearchServicesAsync(CancellationToken.None)).Count;
        return new PlacementRun(total.Elapsed, [.. milliseconds.Order()], grown, deployer.Deployments, counts, [.. placed], retries);
    }

    /// <summary>
    /// Each service's create-index callers, in signup order, through a pool on a simulated clock. Budgets are per service
    /// and independent, so each service is driven on a clock of its own: a caller arrives, waits for the budget, and the
    /// clock jumps to each timer the budget sets until the caller is let through.
    /// </summary>
    private static async Task<List<double>> QueueCreateIndexAsync(List<(Guid Environment, string Service, int Order)> placed, int units, double rate)
    {
        var delays = new List<double>(placed.Count);
        foreach (var service in placed.GroupBy(p => p.Service))
        {
            var clock = new SimulatedClock();
            var options = Options.Create(new SearchPoolOptions
            {
                Services = [new SearchServiceOptions { Name = service.Key, Endpoint = new Uri($"https://{service.Key}.search.windows.net"), IndexCapacity = int.MaxValue, SearchUnits = units }],
            });
            using var pool = new SearchServicePool(new InMemoryPlacementCatalog(), [], options, clock, NullLogger<SearchServicePool>.Instance);
            var location = new SearchServiceLocation(service.Key, new Uri($"https://{service.Key}.search.windows.net"));
            foreach (var (_, _, order) in service.OrderBy(p => p.Order))
            {
                var arrival = rate > 0 ? TimeSpan.FromSeconds(order / rate) : TimeSpan.Zero;
                clock.AdvanceTo(arrival);
                var wait = pool.WaitToCreateIndexAsync(location, CancellationToken.None).AsTask();
                while (!wait.IsCompleted)
                {
                    await Task.WhenAny(wait, clock.WhenTimerSet());
                    if (!wait.IsCompleted)
                    {
                        clock.FireNextTimer();
                    }
                }

                await wait;
                delays.Add((clock.Elapsed - arrival).TotalSeconds);
            }
        }

        delays.Sort();
        return delays;
    }

    private static async Task<(ISearchPlacementCatalog, Func<MemicEnvironment, Task>, Func<Task>)> CatalogAsync(string kind, int tablePort)
    {
        if (kind == "memory")
        {
            var memory = new InMemoryPlacementCatalog();
            return (memory, memory.AddEnvironment, () => Task.CompletedTask);
        }

        var prefix = $"Bench{Guid.NewGuid():n}"[..16];
        var settings = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            // Azurite's well-known development account, on the port given (a private Azurite keeps the shared one free).
            ["Memic:Catalog:ConnectionString"] =
                $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:{tablePort}/devstoreaccount1;",
            ["Memic:Catalog:TablePrefix"] = prefix,
        }).Build();
        var services = new ServiceCollection().AddLogging().AddAzureTableCatalog(settings).BuildServiceProvider();
        var catalog = services.GetRequiredService<AzureTableCatalog>();
        var tables = services.GetRequiredService<global::Azure.Data.Tables.TableServiceClient>();
        return (catalog, environment => catalog.AddEnvironmentAsync(environment, CancellationToken.None), async () =>
        {
            await foreach (var table in tables.QueryAsync(t => t.Name.CompareTo(prefix) >= 0 && t.Name.CompareTo(prefix + "~") < 0))
            {
                await tables.DeleteTableAsync(table.Name);
            }

            await services.DisposeAsync();
        });
    }

    private static async Task<bool> AzuriteAnswersAsync(int tablePort)
    {
        try
        {
            using var client = new System.Net.Sockets.TcpClient();
            await client.ConnectAsync("127.0.0.1", tablePort).WaitAsync(TimeSpan.FromSeconds(1));
            return true;
        }
        catch (Exception ex) when (ex is System.Net.Sockets.SocketException or TimeoutException)
        {
            return false;
        }
    }

    private static double Pct(IReadOnlyList<double> sorted, double percent) => BenchSupport.Percentile(sorted, percent / 100);

    private static T ArgOr<T>(string[] args, string name, T fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length
            ? (T)Convert.ChangeType(args[index + 1], typeof(T), CultureInfo.InvariantCulture)
            : fallback;
    }

    /// <summary>"Deploys" a search service at once: what is measured is the pool's and catalog's own work.</summary>
    private sealed class InstantDeployer : ISearchServiceDeployer
    {
        private int _deployments;

        public int Deployments => Volatile.Read(ref _deployments);

        public Task<SearchServiceLocation> DeployAsync(string serviceName, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _deployments);
            return Task.FromResult(new SearchServiceLocation(serviceName, new Uri($"https://{serviceName}.search.windows.net")));
        }
    }
}
