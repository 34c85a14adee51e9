using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;

namespace Memic.Infra.Tests.Bicep;

internal sealed record BicepDiagnostic(string File, int Line, string Level, string Code, string Message)
{
    public override string ToString() => $"{File}({Line}) {Level} {Code}: {Message}";
}

internal sealed record BicepRun(int ExitCode, IReadOnlyList<BicepDiagnostic> Diagnostics, IReadOnlyList<string> OtherOutput);

/// <summary>Runs the bicep CLI from the Azure.Bicep.CommandLine.linux-x64 package (located at build time).</summary>
internal static partial class BicepCli
{
    public static string ExecutablePath { get; } = Metadata("MemicBicepPath");

    /// <summary>The repository's infra/ folder.</summary>
    public static string InfraDirectory { get; } = Metadata("MemicInfraDir");

    /// <summary>Builds every .bicep file under infra/ into <paramref name="outputDirectory"/>, keeping the folder layout.</summary>
    public static Task<BicepRun> BuildAllAsync(string outputDirectory, CancellationToken cancellationToken) =>
        RunAsync(["build", "--pattern", "**/*.bicep", "--outdir", outputDirectory, "--no-restore"], cancellationToken);

    public static Task<BicepRun> LintAllAsync(CancellationToken cancellationToken) =>
        RunAsync(["lint", "--pattern", "**/*.bicep", "--no-restore"], cancellationToken);

    private static async Task<BicepRun> RunAsync(IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(ExecutablePath)
        {
            WorkingDirectory = InfraDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {ExecutablePath}.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);

        var diagnostics = new List<BicepDiagnostic>();
        var other = new List<string>();
        foreach (var line in ((await stdout) + "\n" + (await stderr)).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var match = DiagnosticLine().Match(line);
            if (match.Success)
            {
                diagnostics.Add(new BicepDiagnostic(
                    Path.GetRelativePath(InfraDirectory, match.Groups["file"].Value),
                    int.Parse(match.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture),
                    match.Groups["level"].Value,
                    match.Groups["code"].Value,
                    match.Groups["message"].Value));
            }
            else
            {
                other.Add(line);
            }
        }

        return new BicepRun(process.ExitCode, diagnostics, other);
    }

    private static string Metadata(string key) =>
        typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().SingleOrDefault(a => a.Key == key)?.Value
        ?? throw new InvalidOperationException($"Assembly metadata '{key}' is missing; it is set by infra/Memic.Infra.targets.");

    // e.g. /work/infra/main.bicep(12,3) : Warning no-unused-params: Parameter "x" is declared but never used. [https://...]
    [GeneratedRegex(@"^(?<file>.+?)\((?<line>\d+),(?<column>\d+)\) : (?<level>Error|Warning|Info) (?<code>[^:]+): (?<message>.*)$")]
    private static partial Regex DiagnosticLine();
}
