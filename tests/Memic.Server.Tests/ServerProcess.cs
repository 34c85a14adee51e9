using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;
using System.Threading.Channels;

namespace Memic.Server.Tests;

/// <summary>
/// The local server as a real process, started the way the README says (<c>dotnet run --project src/Memic.Server</c>,
/// without rebuilding what the test run already built), with its stdout readable line by line.
/// </summary>
internal sealed partial class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly List<string> _seen = [];

    private ServerProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) { _lines.Writer.TryWrite(e.Data); } };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { _lines.Writer.TryWrite(e.Data); } };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    private static string Configuration =>
        typeof(ServerProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    /// <summary>Starts the server on a free loopback port; extra arguments go to the server.</summary>
    public static ServerProcess StartServer(string dataDirectory, IReadOnlyDictionary<string, string>? environment = null) =>
        Start(dataDirectory, environment, RepositoryRoot, "--urls", "http://127.0.0.1:0");

    /// <summary>
    /// Starts the server exactly as the README's run command does from <paramref name="workingDirectory"/>: no
    /// MEMIC_DATA_DIR, so the default data directory applies.
    /// </summary>
    public static ServerProcess StartServerFrom(string workingDirectory) =>
        Start(null, null, workingDirectory, "--urls", "http://127.0.0.1:0");

    /// <summary>Starts one admin command without waiting for it; disposing it kills it if still running.</summary>
    public static ServerProcess StartCommand(string dataDirectory, params string[] arguments) => Start(dataDirectory, null, RepositoryRoot, arguments);

    public bool HasExited => _process.HasExited;

    /// <summary>
    /// The server's own process id: <c>dotnet run</c> starts the application as a child process, so this is the
    /// descendant whose command line names Memic.Server (for reading its /proc entries).
    /// </summary>
    public int ApplicationProcessId()
    {
        var pending = new Queue<int>([_process.Id]);
        while (pending.TryDequeue(out var pid))
        {
            if (pid != _process.Id && File.Exists($"/proc/{pid}/cmdline")
                && File.ReadAllText($"/proc/{pid}/cmdline").Split('\0').FirstOrDefault()?.EndsWith("Memic.Server", StringComparison.Ordinal) == true)
            {
                return pid;
            }

            foreach (var task in Directory.Exists($"/proc/{pid}/task") ? Directory.GetDirectories($"/proc/{pid}/task") : [])
            {
                var children = Path.Combine(task, "children");
                foreach (var child in File.Exists(children) ? File.ReadAllText(children).Split(' ', StringSplitOptions.RemoveEmptyEntries) : [])
                {
                    pending.Enqueue(int.Parse(child, System.Globalization.CultureInfo.InvariantCulture));
                }
            }
        }

        throw new InvalidOperationException("The server process was not found among the children of dotnet run.");
    }

    /// <summary>Kills the whole process tree at once, as a crash or a pulled plug would, and waits for it to be gone.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    /// <summary>Runs one admin command to completion and returns its stdout.</summary>
    public static async Task<(int ExitCode, string Output)> RunCommandAsync(string dataDirectory, CancellationToken cancellationToken, params string[] arguments)
    {
        await using var process = Start(dataDirectory, null, RepositoryRoot, arguments);
        await process._process.WaitForExitAsync(cancellationToken);
        process._lines.Writer.TryComplete();
        var output = new List<string>();
        await foreach (var line in process._lines.Reader.ReadAllAsync(cancellationToken))
        {
            output.Add(line);
        }

        return (process._process.ExitCode, string.Join('\n', output));
    }

    private static ServerProcess Start(
        string? dataDirectory, IReadOnlyDictionary<string, string>? environment, string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "run", "--project", Path.Combine(RepositoryRoot, "src", "Memic.Server"), "--no-build", "-c", Configuration, "--" }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        if (dataDirectory is null)
        {
            start.Environment.Remove("MEMIC_DATA_DIR");
        }
        else
        {
            start.Environment["MEMIC_DATA_DIR"] = dataDirectory;
        }

        start.Environment.Remove("MEMIC_ADMIN_KEY");
        start.Environment.Remove("ASPNETCORE_URLS");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return new ServerProcess(Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start"));
    }

    /// <summary>Reads output until a line matches, returning the match; fails with everything seen on timeout.</summary>
    public async Task<Match> WaitForAsync(Regex pattern, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            while (true)
            {
                var line = await _lines.Reader.ReadAsync(deadline.Token);
                _seen.Add(line);
                var match = pattern.Match(line);
                if (match.Success)
                {
                    return match;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"No line matched {pattern} within {timeout}. Output so far:\n{string.Join('\n', _seen)}");
        }
    }

    /// <summary>Everything read so far, for assertions on what was (not) printed.</summary>
    public IReadOnlyList<string> Seen => _seen;

    /// <summary>Reads whatever further lines arrive within <paramref name="quiet"/>.</summary>
    public async Task DrainAsync(TimeSpan quiet)
    {
        using var wait = new CancellationTokenSource(quiet);
        try
        {
            while (true)
            {
                _seen.Add(await _lines.Reader.ReadAsync(wait.Token));
            }
        }
        catch (OperationCanceledException)
        {
            // Quiet long enough.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Memic.Functions.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Memic.Functions.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"Memic is running at (?<url>http://\S+)")]
    public static partial Regex RunningAt();

    [GeneratedRegex(@"data directory:\s+(?<path>\S.*)$")]
    public static partial Regex DataDirectoryLine();

    [GeneratedRegex(@"API key:\s+(?<key>mk_live_\S+)")]
    public static partial Regex ApiKeyLine();

    [GeneratedRegex(@"admin key:\s+(?<key>mk_admin_\S+)")]
    public static partial Regex AdminKeyLine();
}
