using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Memic.Azure.Queues;
using Memic.Functions.Http;
using Memic.Functions.Ingestion;
using Memic.Http.Routing;
using Microsoft.Azure.Functions.Worker;

namespace Memic.Functions.Tests;

/// <summary>
/// The Functions app and the local server (which maps <see cref="MemicRouteTable.All"/>) expose the same routes: the
/// build's functions.metadata, which the Functions host indexes, and the [HttpTrigger] attributes in the code both
/// list exactly one function per path of every route, with the route's method.
/// </summary>
public sealed partial class RouteParityTests
{
    private static readonly Assembly FunctionsAssembly = typeof(FunctionsComposition).Assembly;

    /// <summary>The dashboard's files (<see cref="DashboardFunctions"/>): a page, not an API route of the table.</summary>
    internal const string Dashboard = "DashboardFiles";

    /// <summary>"GET /api/v1/files/{file_id}" for every path of every route of the shared table.</summary>
    private static readonly string[] TableRoutes =
        [.. MemicRouteTable.All.SelectMany(r => r.Paths.Select(p => $"{r.Method.ToUpperInvariant()} {p}")).Order(StringComparer.Ordinal)];

    [Fact]
    public void Functions_metadata_serves_every_path_of_the_route_table_and_nothing_else()
    {
        var metadata = BuildOutput.FunctionsMetadata();

        var served = metadata
            .Where(f => f.GetProperty("name").GetString() != Dashboard)
            .Select(f => f.GetProperty("bindings")[0])
            .Where(b => b.GetProperty("type").GetString() == "httpTrigger")
            .SelectMany(b => b.GetProperty("methods").EnumerateArray().Select(m => $"{m.GetString()!.ToUpperInvariant()} /{b.GetProperty("route").GetString()}"))
            .Order(StringComparer.Ordinal)
            .ToArray();

        Assert.Equal(TableRoutes, served);
    }

    [Fact]
    public void Http_trigger_attributes_serve_every_path_of_the_route_table_and_nothing_else()
    {
        var served = HttpFunctions()
            .Where(f => f.Name != Dashboard)
            .SelectMany(f => f.Trigger.Methods!.Select(m => $"{m.ToUpperInvariant()} /{f.Trigger.Route}"))
            .Order(StringComparer.Ordinal)
            .ToArray();

        Assert.Equal(TableRoutes, served);
    }

    [Fact]
    public void The_dashboard_is_one_catch_all_get_beside_the_route_table()
    {
        var dashboard = Assert.Single(BuildOutput.FunctionsMetadata(), f => f.GetProperty("name").GetString() == Dashboard).GetProperty("bindings")[0];

        Assert.Equal("httpTrigger", dashboard.GetProperty("type").GetString());
        Assert.Equal(["get"], dashboard.GetProperty("methods").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal("{*path}", dashboard.GetProperty("route").GetString());
    }

    [Fact]
    public void Function_names_are_unique_legal_and_tell_the_two_data_plane_surfaces_apart()
    {
        var names = FunctionsAssembly.GetTypes()
            .SelectMany(t => t.GetMethods())
            .Select(m => m.GetCustomAttribute<FunctionAttribute>()?.Name)
            .OfType<string>()
            .ToArray();

        Assert.Equal(names.Length, names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.All(names, name => Assert.Matches(LegalFunctionName(), name));
        Assert.All(HttpFunctions(), f => Assert.Equal(f.Trigger.Route!.StartsWith(RoutePrefixes.Sdk, StringComparison.Ordinal), f.Name.StartsWith("Sdk", StringComparison.Ordinal)));
        Assert.Contains("GetFile", names);
        Assert.Contains("SdkGetFile", names);
        Assert.Contains("Health", names);
    }

    [Fact]
    public void The_route_prefixes_of_the_functions_are_the_route_tables()
    {
        Assert.Equal(MemicRoute.DocsPrefix + "/", "/" + RoutePrefixes.Docs);
        Assert.Equal(MemicRoute.SdkPrefix + "/", "/" + RoutePrefixes.Sdk);
        Assert.Equal(MemicRoute.AdminPrefix + "/", "/" + RoutePrefixes.Admin);
    }

    [Fact]
    public void The_host_adds_no_route_prefix_so_function_routes_are_the_request_paths()
    {
        var host = BuildOutput.HostJson();

        Assert.Equal("2.0", host.GetProperty("version").GetString());
        Assert.Equal("", host.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
    }

    [Fact]
    public void The_blob_trigger_is_the_Event_Grid_trigger_on_uploads_that_the_postdeploy_hook_subscribes()
    {
        var function = Assert.Single(BuildOutput.FunctionsMetadata(), f => f.GetProperty("name").GetString() == "IngestUploadedBlob");
        var trigger = function.GetProperty("bindings")[0];

        Assert.Equal("blobTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal("EventGrid", trigger.GetProperty("source").GetString());
        Assert.Equal("uploads/{environmentId}/{fileId}", trigger.GetProperty("path").GetString());
        Assert.Equal(IngestionFunctions.StorageConnection, trigger.GetProperty("connection").GetString());
        var hook = File.ReadAllText(Path.Combine(BuildOutput.RepositoryRoot, "infra", "hooks", "postdeploy.sh"));
        Assert.Contains("blob_function=\"Host.Functions.IngestUploadedBlob\"", hook, StringComparison.Ordinal);
    }

    [Fact]
    public void The_queue_trigger_drains_the_queue_confirm_writes_to()
    {
        var function = Assert.Single(BuildOutput.FunctionsMetadata(), f => f.GetProperty("name").GetString() == "IngestQueuedFile");
        var trigger = function.GetProperty("bindings")[0];

        Assert.Equal("queueTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal(AzureQueueOptions.DefaultQueueName, trigger.GetProperty("queueName").GetString());
        Assert.Equal(IngestionFunctions.StorageConnection, trigger.GetProperty("connection").GetString());
    }

    [Fact]
    public void The_timer_trigger_sweeps_stalled_files_every_ten_minutes()
    {
        var function = Assert.Single(BuildOutput.FunctionsMetadata(), f => f.GetProperty("name").GetString() == "ResumeStalledIngestion");
        var trigger = function.GetProperty("bindings")[0];

        Assert.Equal("timerTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal("0 */10 * * * *", trigger.GetProperty("schedule").GetString());
    }

    [Fact]
    public void The_background_functions_are_the_ingestion_triggers_the_provisioning_queue_trigger_and_the_expiry_sweep()
    {
        var triggers = BuildOutput.FunctionsMetadata()
            .Where(f => f.GetProperty("bindings")[0].GetProperty("type").GetString() != "httpTrigger")
            .Select(f => $"{f.GetProperty("name").GetString()} {f.GetProperty("bindings")[0].GetProperty("type").GetString()}")
            .Order(StringComparer.Ordinal);

        Assert.Equal(
            ["CompleteEnvironmentProvisioning queueTrigger", "DeleteExpiredEnvironments timerTrigger", "IngestQueuedFile queueTrigger", "IngestUploadedBlob blobTrigger", "ResumeStalledIngestion timerTrigger"],
            triggers);
    }

    [Fact]
    public void The_provisioning_trigger_drains_the_queue_the_provisioning_queue_writes_on_the_host_storage()
    {
        var function = Assert.Single(BuildOutput.FunctionsMetadata(), f => f.GetProperty("name").GetString() == "CompleteEnvironmentProvisioning");
        var trigger = function.GetProperty("bindings")[0];

        Assert.Equal("queueTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal(Memic.Azure.Queues.AzureStorageProvisioningQueue.QueueName, trigger.GetProperty("queueName").GetString());
        Assert.Equal(IngestionFunctions.StorageConnection, trigger.GetProperty("connection").GetString());
    }

    [Fact]
    public void A_file_counts_as_stalled_only_after_the_function_timeout_so_no_live_run_is_resumed()
    {
        var timeout = TimeSpan.Parse(BuildOutput.HostJson().GetProperty("functionTimeout").GetString()!, System.Globalization.CultureInfo.InvariantCulture);

        Assert.True(new IngestionFallbackOptions().StallThreshold > timeout);
    }

    internal static IEnumerable<(string Name, MethodInfo Method, HttpTriggerAttribute Trigger)> HttpFunctions() =>
        from type in FunctionsAssembly.GetTypes()
        from method in type.GetMethods()
        let function = method.GetCustomAttribute<FunctionAttribute>()
        where function is not null
        let trigger = method.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).OfType<HttpTriggerAttribute>().SingleOrDefault()
        where trigger is not null
        select (function.Name, method, trigger);

    /// <summary>What the Functions host accepts as a function name.</summary>
    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_-]{0,127}$")]
    private static partial Regex LegalFunctionName();
}

/// <summary>The Functions project's build output, next to this test project's in the repository.</summary>
internal static class BuildOutput
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>The Functions project's output for the configuration these tests were built in.</summary>
    public static string Directory { get; } = Path.Combine(
        RepositoryRoot, "src", "Memic.Functions", "bin",
        typeof(BuildOutput).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration, "net10.0");

    public static JsonElement[] FunctionsMetadata() => [.. Read("functions.metadata").EnumerateArray()];

    public static JsonElement HostJson() => Read("host.json");

    private static JsonElement Read(string name)
    {
        var path = Path.Combine(Directory, name);
        Assert.True(File.Exists(path), $"{path} is missing: build src/Memic.Functions (the solution build does) before running these tests.");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.Clone();
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

        throw new InvalidOperationException($"No Memic.Functions.sln above {AppContext.BaseDirectory}.");
    }
}
