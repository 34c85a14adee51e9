using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;

namespace Memic.Benchmarks;

/// <summary>
/// <c>GET /api/v1/me</c> throughput on loopback against a real server process (the local host, Release build)
/// on a fresh data directory, with concurrent keep-alive connections from this process. <c>GET /health</c>
/// (no key check, no rate limit) is measured in the same run as the baseline for the server's fixed cost.
/// </summary>
internal static partial class MeThroughput
{
    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = ArgOr(args, "--seconds", 10);
        var connections = ArgOr(args, "--connections", 32);
        var dataDirectory = Directory.CreateTempSubdirectory("memic-bench-me-").FullName;
        var serverDll = Path.Combine(AppContext.BaseDirectory, "Memic.Server.dll");

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { serverDll, "--urls", "http://127.0.0.1:0" })
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["MEMIC_DATA_DIR"] = dataDirectory;
        start.Environment["Memic__RateLimits__Status"] = int.MaxValue.ToString();
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        using var server = Process.Start(start)!;
        try
        {
            string? url = null, key = null;
            while ((url is null || key is null) && await server.StandardOutput.ReadLineAsync() is { } line)
            {
                url ??= RunningAt().Match(line) is { Success: true } m ? m.Groups[1].Value : null;
                key ??= ApiKey().Match(line) is { Success: true } k ? k.Groups[1].Value : null;
            }

            if (url is null || key is null)
            {
                await Console.Error.WriteLineAsync("The server did not print its URL and key.");
                return 1;
            }

            Console.WriteLine($"server {url}, {connections} connections, {seconds} s per run, {Environment.ProcessorCount} cores shared by client and server");
            foreach (var (name, path, withKey) in new[] { ("GET /health (baseline)", "/health", false), ("GET /api/v1/me", "/api/v1/me", true) })
            {
                await LoadAsync(url, path, withKey ? key : null, connections, TimeSpan.FromSeconds(2));
                var (requests, errors, latencies) = await LoadAsync(url, path, withKey ? key : null, connections, TimeSpan.FromSeconds(seconds));
                latencies.Sort();
                Console.WriteLine($"{name,-24} {requests / (double)seconds,10:F0} req/s   p50 {Percentile(latencies, 0.50):F2} ms   p99 {Percentile(latencies, 0.99):F2} ms   errors {errors}");
            }

            return 0;
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    private static async Task<(long Requests, long Errors, List<double> LatenciesMs)> LoadAsync(string url, string path, string? key, int connections, TimeSpan duration)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = connections, UseProxy = false };
        using var client = new HttpClient(handler) { BaseAddress = new Uri(url) };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Add("X-API-Key", key);
        }

        long requests = 0, errors = 0;
        var latencies = new List<double>[connections];
        var stopAt = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var workers = Enumerable.Range(0, connections).Select(async worker =>
        {
            var mine = latencies[worker] = [];
            while (Stopwatch.GetTimestamp() < stopAt)
            {
                var begun = Stopwatch.GetTimestamp();
                using var response = await client.GetAsync(path);
                await response.Content.LoadIntoBufferAsync();
                mine.Add(Stopwatch.GetElapsedTime(begun).TotalMilliseconds);
                Interlocked.Increment(ref requests);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        });
        await Task.WhenAll(workers);
        return (requests, errors, latencies.SelectMany(l => l).ToList());
    }

    private static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(p * sorted.Count))];

    private static int ArgOr(string[] args, string name, int fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length && int.TryParse(args[index + 1], out var value) ? value : fallback;
    }

    [GeneratedRegex(@"Memic is running at (http://\S+)")]
    private static partial Regex RunningAt();

    [GeneratedRegex(@"API key:\s+(mk_live_\S+)")]
    private static partial Regex ApiKey();
}
