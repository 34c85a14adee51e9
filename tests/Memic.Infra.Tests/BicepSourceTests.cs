using System.Text.RegularExpressions;
using Memic.Infra.Tests.Bicep;

namespace Memic.Infra.Tests;

/// <summary>The Bicep sources compile and lint cleanly, offline.</summary>
public sealed partial class BicepSourceTests(InfraFixture infra)
{
    private static readonly string[] BicepFiles = Directory
        .EnumerateFiles(BicepCli.InfraDirectory, "*.bicep", SearchOption.AllDirectories)
        .Select(path => Path.GetRelativePath(BicepCli.InfraDirectory, path))
        .Order(StringComparer.Ordinal)
        .ToArray();

    [Fact]
    public void Infra_has_the_main_template_its_modules_and_the_search_service_template()
    {
        Assert.Contains("main.bicep", BicepFiles);
        Assert.Contains("search-service.bicep", BicepFiles);
        Assert.Contains(Path.Combine("modules", "role-assignment.bicep"), BicepFiles);
    }

    [Fact]
    public void Every_bicep_file_compiles_offline_without_errors()
    {
        Assert.True(infra.Build.ExitCode == 0, Describe("bicep build failed", infra.Build));
        Assert.DoesNotContain(infra.Build.Diagnostics, d => d.Level == "Error");
        Assert.All(BicepFiles, file => Assert.True(File.Exists(infra.CompiledPath(file)), $"{file} was not compiled."));
    }

    [Fact]
    public void Lint_reports_no_unexplained_warnings()
    {
        // Every warning is either fixed or suppressed in the source with a reason (see the next test).
        Assert.True(infra.Lint.ExitCode == 0, Describe("bicep lint failed", infra.Lint));
        Assert.True(infra.Lint.Diagnostics.Count == 0, Describe("bicep lint reported diagnostics", infra.Lint));
        Assert.True(infra.Build.Diagnostics.Count == 0, Describe("bicep build reported diagnostics", infra.Build));
    }

    [Fact]
    public void Every_suppressed_diagnostic_states_a_reason()
    {
        var unexplained =
            from file in BicepFiles
            from line in File.ReadLines(Path.Combine(BicepCli.InfraDirectory, file)).Select((text, index) => (text, number: index + 1))
            where line.text.Contains("#disable-", StringComparison.Ordinal)
            where !SuppressionWithReason().IsMatch(line.text)
            select $"{file}({line.number}): {line.text.Trim()}";

        Assert.Empty(unexplained);
    }

    [Fact]
    public void Templates_use_local_modules_only()
    {
        var registryModules =
            from file in BicepFiles
            from line in File.ReadLines(Path.Combine(BicepCli.InfraDirectory, file))
            where RegistryModule().IsMatch(line)
            select $"{file}: {line.Trim()}";

        Assert.Empty(registryModules);
    }

    [Fact]
    public void Build_time_search_service_template_is_compiled_from_the_bicep_source()
    {
        using var embedded = typeof(BicepSourceTests).Assembly.GetManifestResourceStream("Memic.Infra.search-service.json");
        Assert.NotNull(embedded);
        using var reader = new StreamReader(embedded);
        var builtAtBuildTime = reader.ReadToEnd();
        var builtNow = File.ReadAllText(infra.CompiledPath("search-service.bicep"));

        // Bicep stamps a hash of the source into the template, so equal text means the same source.
        Assert.Equal(Normalize(builtNow), Normalize(builtAtBuildTime));
        Assert.Contains("Microsoft.Search/searchServices", builtAtBuildTime, StringComparison.Ordinal);
    }

    private static string Normalize(string json) => json.ReplaceLineEndings("\n").Trim();

    private static string Describe(string what, BicepRun run) =>
        $"{what} (exit {run.ExitCode}):\n{string.Join('\n', run.Diagnostics.Select(d => d.ToString()).Concat(run.OtherOutput))}";

    // "#disable-next-line rule-id // reason" or "#disable-diagnostics rule-id // reason".
    [GeneratedRegex(@"#disable-(next-line|diagnostics)\s+[\w-]+(\s+[\w-]+)*\s+//\s*\S.{5,}")]
    private static partial Regex SuppressionWithReason();

    [GeneratedRegex(@"^\s*module\s+\w+\s+'(br|ts)[:/]")]
    private static partial Regex RegistryModule();
}
