using System.Diagnostics;
using System.Reflection;
using Memic.Server.Tests;

namespace Memic.Client.Tests;

/// <summary>Runs the built <c>memic</c> tool as a process with only the environment variables a test gives it.</summary>
internal static class MemicCli
{
    private static readonly string Configuration =
        typeof(MemicCli).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    private static readonly string ToolPath = Path.Combine(ServerProcess.RepositoryRoot, "src", "Memic.Cli", "bin", Configuration, "net10.0", "memic.dll");

    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public string[] OutputLines => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    public static async Task<Result> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(ToolPath);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in new[] { "MEMIC_API_KEY", "MEMIC_BASE_URL", "MEMIC_ADMIN_KEY", "MEMIC_ADMIN_URL" })
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        // Wide enough that tables never wrap ids across lines.
        start.Environment["COLUMNS"] = "400";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return new Result(process.ExitCode, await output, await error);
    }
}
