using System.Text.Json;
using System.Text.RegularExpressions;
using Memic.Core.Telemetry;
using Memic.Infra.Tests.Arm;

namespace Memic.Infra.Tests;

/// <summary>The Azure Monitor workbook main.bicep deploys: per-environment search latency and ingestion, queried by the names the app emits.</summary>
public sealed partial class WorkbookTemplateTests(InfraFixture infra)
{
    private static readonly HashSet<string> EmittedNames =
    [
        MemicTelemetry.SearchSpan, MemicTelemetry.IngestedFilesMetric, MemicTelemetry.IngestedBytesMetric, MemicTelemetry.IngestedChunksMetric,
        MemicTelemetry.QueueDepthMetric, MemicTelemetry.IngestionStepDurationMetric, MemicTelemetry.SearchDurationMetric,
        MemicTelemetry.EnvironmentIdTag, MemicTelemetry.OutcomeTag, MemicTelemetry.StepTag, MemicTelemetry.QueueTag,
    ];

    private readonly ArmDeployment _deployment = infra.DeployMain();

    private ArmResource Workbook => Assert.Single(_deployment.OfType("Microsoft.Insights/workbooks"));

    private List<(string Title, string Query, string Visualization)> Queries()
    {
        using var content = JsonDocument.Parse(Assert.IsType<string>(Workbook.Properties["serializedData"]));
        return [.. content.RootElement.GetProperty("items").EnumerateArray()
            .Where(i => i.GetProperty("type").GetInt32() == 3)
            .Select(i => i.GetProperty("content"))
            .Select(c => (c.GetProperty("title").GetString()!, c.GetProperty("query").GetString()!, c.GetProperty("visualization").GetString()!))];
    }

    [Fact]
    public void The_workbook_is_shared_on_the_deployment_application_insights()
    {
        var sourceId = ArmValue.ToArmString(Workbook.Properties["sourceId"]);

        Assert.Equal("shared", Workbook.Body["kind"]);
        Assert.Equal("workbook", Workbook.Properties["category"]);
        // The App Insights resource the monitoring module created (its name is that module's output).
        Assert.Contains("Microsoft.Insights/components", sourceId, StringComparison.Ordinal);
        Assert.Contains("/deployments/monitoring'", sourceId, StringComparison.Ordinal);
        Assert.Contains(".outputs.applicationInsightsName.value", sourceId, StringComparison.Ordinal);
        Assert.True(Guid.TryParse(ArmValue.ToArmString(Workbook.Name), out _), "a workbook's name must be a GUID");
        Assert.Equal(InfraFixture.EnvironmentName, Workbook.Tags["azd-env-name"]);
    }

    [Fact]
    public void Search_latency_p50_and_p99_are_shown_per_environment_from_the_search_spans()
    {
        var (_, query, visualization) = Assert.Single(Queries(), q => q.Query.Contains("percentile(duration, 50)", StringComparison.Ordinal) && q.Query.Contains(" by environment", StringComparison.Ordinal));

        Assert.StartsWith("dependencies", query, StringComparison.Ordinal);
        Assert.Contains($"name == \"{MemicTelemetry.SearchSpan}\"", query, StringComparison.Ordinal);
        Assert.Contains("percentile(duration, 99)", query, StringComparison.Ordinal);
        Assert.Contains($"customDimensions[\"{MemicTelemetry.EnvironmentIdTag}\"]", query, StringComparison.Ordinal);
        Assert.Equal("table", visualization);
    }

    [Fact]
    public void Ingestion_throughput_and_failures_are_shown_per_environment_from_the_ingestion_metrics()
    {
        var queries = Queries();
        var throughput = Assert.Single(queries, q => q.Query.Contains("files_ready", StringComparison.Ordinal)).Query;
        var failures = Assert.Single(queries, q => q.Query.Contains("summarize failures", StringComparison.Ordinal)).Query;

        Assert.StartsWith("customMetrics", throughput, StringComparison.Ordinal);
        Assert.Contains($"\"{MemicTelemetry.IngestedFilesMetric}\"", throughput, StringComparison.Ordinal);
        Assert.Contains($"outcome == \"{MemicTelemetry.Succeeded}\"", throughput, StringComparison.Ordinal);
        Assert.Contains("by environment", throughput, StringComparison.Ordinal);
        Assert.Contains($"== \"{MemicTelemetry.Failed}\"", failures, StringComparison.Ordinal);
        Assert.Contains($"customDimensions[\"{MemicTelemetry.StepTag}\"]", failures, StringComparison.Ordinal);
        Assert.Contains("by environment, step", failures, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_memic_name_a_query_uses_is_one_the_app_emits()
    {
        var used = Queries().SelectMany(q => MemicName().Matches(q.Query).Select(m => m.Groups["name"].Value)).Distinct().ToList();

        Assert.NotEmpty(used);
        Assert.All(used, name => Assert.Contains(name, EmittedNames));
    }

    [GeneratedRegex("\"(?<name>memic\\.[a-z_.]+)\"")]
    private static partial Regex MemicName();
}
