using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Memic.Ingestion.Isolation;

/// <summary>
/// How to start the extraction worker: <c>Memic.Extractor.dll</c> next to the app's own assemblies (both hosts ship it
/// through their project reference), run by the same <c>dotnet</c> host and runtime as this process. The Functions
/// worker runs framework-dependent under <c>dotnet</c>; the local server under its apphost, whose runtime directory
/// still leads to the same <c>dotnet</c>.
/// </summary>
internal sealed record ExtractorLaunch(string FileName, IReadOnlyList<string> Arguments)
{
    public const string AssemblyFileName = "Memic.Extractor.dll";

    /// <summary>The launch for this process, or null with the reason when the worker is not where it must be.</summary>
    public static ExtractorLaunch? Find(out string? missing)
    {
        var assembly = Path.Combine(AppContext.BaseDirectory, AssemblyFileName);
        if (!File.Exists(assembly))
        {
            missing = $"The extraction worker {AssemblyFileName} is missing from {AppContext.BaseDirectory}; it ships with the app (a project reference to Memic.Extractor).";
            return null;
        }

        missing = null;
        if (DotnetHost() is { } host)
        {
            return new ExtractorLaunch(host, [assembly]);
        }

        var appHost = Path.ChangeExtension(assembly, OperatingSystem.IsWindows() ? ".exe" : null);
        if (File.Exists(appHost))
        {
            return new ExtractorLaunch(appHost, []);
        }

        missing = $"No dotnet host was found to run {AssemblyFileName}.";
        return null;
    }

    public ProcessStartInfo StartInfo(IEnumerable<string> workerArguments)
    {
        var startInfo = new ProcessStartInfo(FileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var argument in Arguments.Concat(workerArguments))
        {
            startInfo.ArgumentList.Add(argument);
        }

        return startInfo;
    }

    private static string? DotnetHost()
    {
        var name = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        if (Environment.ProcessPath is { } processPath && string.Equals(Path.GetFileName(processPath), name, StringComparison.OrdinalIgnoreCase))
        {
            return processPath;
        }

        // <root>/shared/Microsoft.NETCore.App/<version>/ → <root>/dotnet: the host that owns the runtime we run on.
        var runtime = new DirectoryInfo(RuntimeEnvironment.GetRuntimeDirectory());
        var root = runtime.Parent?.Parent?.Parent?.FullName;
        var candidate = root is null ? null : Path.Combine(root, name);
        return candidate is not null && File.Exists(candidate) ? candidate : null;
    }
}
