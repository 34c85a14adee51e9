using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Memic.Benchmarks;

/// <summary>
/// Server start to first answer, and resident memory once idle, for the built Release server started directly (not
/// through <c>dotnet run</c>, whose build check would dominate). Three cases, interleaved run by run so that a change
/// in the machine's load falls on all of them: a fresh data directory (first-run setup creates the organisation,
/// project, environment and keys), a restart on an existing data directory, and as baseline the same binary with a
/// remote embedder configured but never called, so no local model is loaded: the difference is what MiniLM costs.
/// </summary>
internal static partial class StartupAndMemory
{
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(5);

    /// <summary>How long a user takes between the banner and a first search: the server's background warm-up has had time to finish.</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(10);
    private const int WarmSearches = 5;
    private const int WorkloadSearches = 20;

    private static readonly string[] Queries =
    [
        "How are invoices numbered?", "refund policy for annual plans", "termination clause", "who approves expenses",
        "data retention period", "password reset steps",
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        var runs = ArgOr(args, "--runs", 5);
        var server = await ServerCommand.FindOrBuildAsync();
        Console.WriteLine($"server: {server.Describe()}");

        // Another build's output folder (e.g. a copy of bin/Release/net10.0 from before a change) is measured in the
        // settled case too, interleaved with this build's runs, so both see the same load.
        var baselineBuild = ArgOr(args, "--baseline-build");
        var baseline = baselineBuild is null ? null : server with { OutputDirectory = Path.GetFullPath(baselineBuild) };
        if (baseline is not null)
        {
            Console.WriteLine($"baseline build: {baseline.Describe()}");
        }

        Console.WriteLine($"machine: {BenchSupport.Machine()}; load average before: {BenchSupport.LoadAverage()}");

        var restartDirectory = Directory.CreateTempSubdirectory("memic-bench-startup-restart-").FullName;
        var scratch = new List<string> { restartDirectory };
        try
        {
            // One untimed start creates the data directory the restart case reuses, and its key.
            var prepared = await StartAndMeasureAsync(server, Case.Restart, restartDirectory, knownKey: null);
            var restartKey = prepared.ApiKey ?? throw new InvalidOperationException("The first start did not print an API key.");

            var results = new Dictionary<Case, List<RunResult>> { [Case.NoModel] = [], [Case.Cold] = [], [Case.Restart] = [], [Case.RestartSettled] = [] };
            if (baseline is not null)
            {
                results[Case.RestartSettledBaselineBuild] = [];
            }

            var cpu = BenchSupport.CpuSnapshot.Take();
            for (var run = 1; run <= runs; run++)
            {
                foreach (var which in results.Keys)
                {
                    var restart = which is Case.Restart or Case.RestartSettled or Case.RestartSettledBaselineBuild;
                    var directory = restart ? restartDirectory : Directory.CreateTempSubdirectory("memic-bench-startup-").FullName;
                    if (!restart)
                    {
                        scratch.Add(directory);
                    }

                    var command = which == Case.RestartSettledBaselineBuild ? baseline! : server;
                    var result = await StartAndMeasureAsync(command, which, directory, restart ? restartKey : null);
                    results[which].Add(result);
                    Console.WriteLine($"run {run} {Label(which),-34} {result}");
                }
            }

            // Our own CPU is nearly nothing (polling); what the servers used counts as "other" too, so this is an upper bound.
            var others = BenchSupport.OtherProcessesCpuShare(cpu);
            Console.WriteLine();
            Console.WriteLine($"load average after: {BenchSupport.LoadAverage()}; cores busy outside this process during the runs (servers included): {others:P0}");
            PrintTable(results);
            return 0;
        }
        finally
        {
            foreach (var directory in scratch)
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    private enum Case
    {
        NoModel,
        Cold,
        Restart,
        RestartSettled,
        RestartSettledBaselineBuild,
    }

    private static string Label(Case which) => which switch
    {
        Case.NoModel => "no local model (baseline)",
        Case.Cold => "cold: fresh data directory",
        Case.Restart => "warm restart: existing data directory",
        Case.RestartSettled => "warm restart, first search 10 s after /me",
        _ => "same, baseline build",
    };

    private static async Task<RunResult> StartAndMeasureAsync(ServerCommand server, Case which, string dataDirectory, string? knownKey)
    {
        var port = FreeLoopbackPort();
        var url = $"http://127.0.0.1:{port}";
        var start = server.StartInfo(url, dataDirectory);
        if (which == Case.NoModel)
        {
            // A remote embedder on a closed loopback port: validated at start, never called by this run's workload.
            start.Environment["Memic__Embeddings__Provider"] = "OpenAI";
            start.Environment["Memic__Embeddings__Endpoint"] = "http://127.0.0.1:9/v1";
            start.Environment["Memic__Embeddings__Model"] = "not-called";
        }

        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(1) })
        {
            BaseAddress = new Uri(url),
            Timeout = TimeSpan.FromSeconds(30),
        };

        var started = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("The server did not start.");
        var output = new ServerOutput(process, started);
        try
        {
            var health = await PollUntilAsync(() => client.GetAsync("/health"), started, process);
            var key = knownKey ?? await output.ApiKeyAsync(GiveUpAfter);
            client.DefaultRequestHeaders.Add("X-API-Key", key);
            var me = await PollUntilAsync(() => client.GetAsync("/api/v1/me"), started, process);

            TimeSpan? firstSearch = null;
            SearchTimes? settled = null;
            if (which is Case.RestartSettled or Case.RestartSettledBaselineBuild)
            {
                // A user's first search a moment after start: what is still cold then (not the model, which loads after
                // the banner) shows as the gap between the first search and the ones after it.
                await Task.Delay(Settle);
                settled = await TimeSearchesAsync(client);
            }
            else if (which != Case.NoModel)
            {
                // The first search waits for the model the server loads in the background after its banner.
                firstSearch = await PollUntilAsync(() => SearchAsync(client, Queries[0]), started, process);
            }

            await RunWorkloadAsync(client, which);

            await Task.Delay(Idle);
            return new RunResult(output.BannerAt, health, me, firstSearch, settled, ReadMemory(process.Id), key);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    /// <summary>
    /// What a first user does: one small upload, indexed, then searches. The baseline has no embedder to call, so it
    /// makes the same number of key-checked requests instead.
    /// </summary>
    private static async Task RunWorkloadAsync(HttpClient client, Case which)
    {
        if (which == Case.NoModel)
        {
            for (var i = 0; i < WorkloadSearches + 1; i++)
            {
                (await client.GetAsync("/api/v1/me")).EnsureSuccessStatusCode();
            }

            return;
        }

        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(SmallDocument)), "file", "handbook.txt" },
        };
        using var created = await client.PostAsync("/api/v1/files", form);
        created.EnsureSuccessStatusCode();
        var fileId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        await WaitUntilIndexedAsync(client, fileId!);

        for (var i = 0; i < WorkloadSearches; i++)
        {
            (await SearchAsync(client, Queries[i % Queries.Length])).EnsureSuccessStatusCode();
        }
    }

    private static async Task WaitUntilIndexedAsync(HttpClient client, string fileId)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < GiveUpAfter)
        {
            var file = await client.GetFromJsonAsync<JsonElement>($"/api/v1/files/{fileId}/status");
            var status = file.GetProperty("status").GetString();
            if (status == "ready")
            {
                return;
            }

            if (status?.EndsWith("_failed", StringComparison.Ordinal) == true)
            {
                throw new InvalidOperationException($"The workload's upload ended as {status}.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }

        throw new TimeoutException("The workload's upload was not indexed in time.");
    }

    /// <summary>
    /// The first search's own latency and the part of it the server spent in search (<c>search_time_ms</c>; the rest is
    /// the HTTP and JSON path), then the median of the next few (different queries, so nothing is cached).
    /// </summary>
    private static async Task<SearchTimes> TimeSearchesAsync(HttpClient client)
    {
        async Task<(TimeSpan Total, double SearchMs)> TimeOneAsync(string query)
        {
            var watch = Stopwatch.StartNew();
            using var response = await SearchAsync(client, query);
            response.EnsureSuccessStatusCode();
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            return (watch.Elapsed, body.GetProperty("search_time_ms").GetDouble());
        }

        var (first, firstSearchMs) = await TimeOneAsync(Queries[0]);
        var next = new List<double>();
        for (var i = 1; i <= WarmSearches; i++)
        {
            next.Add((await TimeOneAsync(Queries[i % Queries.Length])).Total.TotalMilliseconds);
        }

        return new SearchTimes(first, TimeSpan.FromMilliseconds(firstSearchMs), TimeSpan.FromMilliseconds(BenchSupport.Percentile([.. next.Order()], 0.5)));
    }

    private static Task<HttpResponseMessage> SearchAsync(HttpClient client, string query) =>
        client.PostAsJsonAsync("/api/v1/search", new { query, top_k = 5 });

    /// <summary>Time from process start until <paramref name="request"/> first answers 200; refused connections and other statuses are retried.</summary>
    private static async Task<TimeSpan> PollUntilAsync(Func<Task<HttpResponseMessage>> request, Stopwatch started, Process process)
    {
        while (started.Elapsed < GiveUpAfter)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The server exited with code {process.ExitCode} before answering.");
            }

            try
            {
                using var response = await request();
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return started.Elapsed;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(PollEvery);
        }

        throw new TimeoutException($"No 200 within {GiveUpAfter.TotalSeconds} s.");
    }

    /// <summary>
    /// VmRSS (resident now), VmHWM (the most it was ever resident) and RssFile (the resident part backed by files, e.g.
    /// assemblies and the model embedded in one, which the kernel can drop and re-read) in kB from /proc.
    /// </summary>
    private static Memory ReadMemory(int pid)
    {
        long Field(string[] lines, string name) =>
            long.Parse(lines.Single(l => l.StartsWith(name, StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

        var status = File.ReadAllLines($"/proc/{pid}/status");
        return new Memory(Field(status, "VmRSS:"), Field(status, "VmHWM:"), Field(status, "RssFile:"));
    }

    /// <summary>
    /// A free port chosen here rather than <c>--urls …:0</c>: polling must begin at process start, before the server
    /// could say where it listens.
    /// </summary>
    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void PrintTable(Dictionary<Case, List<RunResult>> results)
    {
        static string Ms(IEnumerable<TimeSpan?> times)
        {
            var sorted = times.Where(t => t is not null).Select(t => t!.Value.TotalMilliseconds).Order().ToList();
            return sorted.Count == 0 ? "–" : $"{BenchSupport.Percentile(sorted, 0.5):F0} / {sorted[^1]:F0}";
        }

        static string Mib(IEnumerable<long> kb)
        {
            var sorted = kb.Select(k => k / 1024.0).Order().ToList();
            return $"{BenchSupport.Percentile(sorted, 0.5):F0} / {sorted[^1]:F0}";
        }

        static string Settled(List<RunResult> list) => list.All(r => r.Settled is null)
            ? "–"
            : $"{Ms(list.Select(r => r.Settled?.First))} ({Ms(list.Select(r => r.Settled?.FirstInSearch))} in search) / {Ms(list.Select(r => r.Settled?.NextMedian))}";

        Console.WriteLine();
        Console.WriteLine("ms are p50 / max; MiB are p50 / max");
        Console.WriteLine();
        Console.WriteLine("| case | runs | start → banner ms | start → /health ms | start → /me ms | start → first search ms | first search after settling (of which in search) / next ones: p50 / max ms | RSS after idle MiB | of which file-backed MiB | peak RSS MiB |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (which, list) in results)
        {
            Console.WriteLine(
                $"| {Label(which)} | {list.Count} | {Ms(list.Select(r => r.Banner))} | {Ms(list.Select(r => (TimeSpan?)r.Health))} | {Ms(list.Select(r => (TimeSpan?)r.Me))} " +
                $"| {Ms(list.Select(r => r.FirstSearch))} | {Settled(list)} | {Mib(list.Select(r => r.Memory.RssKb))} | {Mib(list.Select(r => r.Memory.FileBackedKb))} | {Mib(list.Select(r => r.Memory.PeakKb))} |");
        }
    }

    private static string? ArgOr(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    private static int ArgOr(string[] args, string name, int fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length && int.TryParse(args[index + 1], out var value) && value > 0 ? value : fallback;
    }

    private const string SmallDocument =
        "Invoices are numbered per year, starting at 1 each January. Refunds for annual plans are prorated by month.\n" +
        "Either party may terminate the agreement with thirty days' written notice. Expenses above 500 euros need a manager's approval.\n" +
        "Customer data is retained for seven years after the contract ends. To reset a password, use the link on the sign-in page.\n";

    private sealed record Memory(long RssKb, long PeakKb, long FileBackedKb);

    private sealed record SearchTimes(TimeSpan First, TimeSpan FirstInSearch, TimeSpan NextMedian);

    private sealed record RunResult(TimeSpan? Banner, TimeSpan Health, TimeSpan Me, TimeSpan? FirstSearch, SearchTimes? Settled, Memory Memory, string? ApiKey)
    {
        public override string ToString() =>
            $"banner {Ms(Banner)}  /health {Ms(Health)}  /me {Ms(Me)}  first search {Ms(FirstSearch)}  " +
            (Settled is { } s ? $"settled first search {Ms(s.First)} ({Ms(s.FirstInSearch)} in search), next {Ms(s.NextMedian)}  " : "") +
            $"RSS {Memory.RssKb / 1024.0:F0} MiB ({Memory.FileBackedKb / 1024.0:F0} file-backed)  peak {Memory.PeakKb / 1024.0:F0} MiB";

        private static string Ms(TimeSpan? time) => time is { } t ? $"{t.TotalMilliseconds:F0} ms" : "–";
    }

    /// <summary>Drains the server's output (a full pipe would block it) and notes when the banner and the API key appear.</summary>
    private sealed class ServerOutput
    {
        private readonly TaskCompletionSource<string> _apiKey = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ServerOutput(Process process, Stopwatch started)
        {
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is not { } line)
                {
                    _apiKey.TrySetException(new InvalidOperationException("The server's output ended without an API key."));
                    return;
                }

                if (BannerAt is null && RunningAt().IsMatch(line))
                {
                    BannerAt = started.Elapsed;
                }

                if (ApiKeyLine().Match(line) is { Success: true } key)
                {
                    _apiKey.TrySetResult(key.Groups[1].Value);
                }
            };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public TimeSpan? BannerAt { get; private set; }

        public Task<string> ApiKeyAsync(TimeSpan timeout) => _apiKey.Task.WaitAsync(timeout);
    }

    /// <summary>How to start the Release server: its apphost where there is one, else <c>dotnet Memic.Server.dll</c>.</summary>
    private sealed record ServerCommand(string RepositoryRoot, string OutputDirectory)
    {
        private string AppHost => Path.Combine(OutputDirectory, OperatingSystem.IsWindows() ? "Memic.Server.exe" : "Memic.Server");

        private string Dll => Path.Combine(OutputDirectory, "Memic.Server.dll");

        public static async Task<ServerCommand> FindOrBuildAsync()
        {
            var root = FindRepositoryRoot();
            var command = new ServerCommand(root, Path.Combine(root, "src", "Memic.Server", "bin", "Release", "net10.0"));
            if (!File.Exists(command.Dll))
            {
                Console.WriteLine($"{command.Dll} is missing: building src/Memic.Server in Release first (not timed).");
                var build = new ProcessStartInfo("dotnet") { WorkingDirectory = root, UseShellExecute = false };
                foreach (var a in new[] { "build", "src/Memic.Server", "-c", "Release", "-v", "quiet" })
                {
                    build.ArgumentList.Add(a);
                }

                using var process = Process.Start(build)!;
                await process.WaitForExitAsync();
                if (process.ExitCode != 0 || !File.Exists(command.Dll))
                {
                    throw new InvalidOperationException("Building src/Memic.Server in Release failed.");
                }
            }

            return command;
        }

        public string Describe() => File.Exists(AppHost) ? AppHost : $"dotnet {Dll}";

        public ProcessStartInfo StartInfo(string url, string dataDirectory)
        {
            var start = File.Exists(AppHost) ? new ProcessStartInfo(AppHost) : new ProcessStartInfo("dotnet") { ArgumentList = { Dll } };
            start.ArgumentList.Add("--urls");
            start.ArgumentList.Add(url);
            start.WorkingDirectory = OutputDirectory;
            start.UseShellExecute = false;
            start.RedirectStandardOutput = true;
            start.RedirectStandardError = true;
            start.Environment["MEMIC_DATA_DIR"] = dataDirectory;
            return start;
        }

        private static string FindRepositoryRoot()
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "src", "Memic.Server", "Memic.Server.csproj")))
                {
                    return directory.FullName;
                }
            }

            throw new DirectoryNotFoundException($"src/Memic.Server not found above {AppContext.BaseDirectory}");
        }
    }

    [GeneratedRegex(@"Memic is running at http://\S+")]
    private static partial Regex RunningAt();

    [GeneratedRegex(@"API key:\s+(mk_live_\S+)")]
    private static partial Regex ApiKeyLine();
}
