using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using Memic.Core.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using static Memic.Server.Tests.Wire;

namespace Memic.Server.Tests;

/// <summary>
/// The local server's OpenTelemetry: an upload and a search, observed through the host's own tracer and meter providers
/// (an in-memory exporter added to them), and exported over OTLP to a loopback receiver when the standard variables
/// name one. Spans and metrics of other tests' servers in this process are told apart by environment id.
/// </summary>
public sealed class TelemetryTests : IDisposable
{
    private readonly List<Activity> _spans = [];
    private readonly List<Metric> _metrics = [];
    private readonly MemicServerFactory _server;

    public TelemetryTests()
    {
        _server = new MemicServerFactory
        {
            TestServices = services => services
                .ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(_spans))
                .ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddInMemoryExporter(_metrics)),
        };
    }

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task An_upload_traces_each_ingestion_step_with_its_file_and_environment()
    {
        var (environmentId, key) = await _server.AdminClient().CreateEnvironmentAsync("traced-upload");
        using var client = _server.DataClient(key);

        var (file, _) = await Uploads.UploadAndWaitAsync(_server, client, "notes.md", "# Notes\n\nThe heron nests by the lake."u8.ToArray(), "text/markdown");
        var fileId = file.GetProperty("id").GetGuid();

        var steps = Spans(environmentId).Where(s => s.OperationName.StartsWith(MemicTelemetry.IngestionSpan + ".", StringComparison.Ordinal)).ToList();
        Assert.Equal(
            ["memic.ingestion.conversion", "memic.ingestion.parsing", "memic.ingestion.chunking", "memic.ingestion.embedding"],
            steps.OrderBy(s => s.StartTimeUtc).Select(s => s.OperationName));
        Assert.All(steps, s =>
        {
            Assert.Equal(fileId.ToString(), s.GetTagItem(MemicTelemetry.FileIdTag));
            Assert.NotEqual(ActivityStatusCode.Error, s.Status);
        });
        var run = Assert.Single(Spans(environmentId), s => s.OperationName == MemicTelemetry.IngestionSpan);
        Assert.All(steps, s => Assert.Equal(run.SpanId, s.ParentSpanId));

        var metrics = await CollectAsync();
        Assert.Equal(1, Sum(metrics, MemicTelemetry.IngestedFilesMetric, environmentId, (MemicTelemetry.OutcomeTag, MemicTelemetry.Succeeded)));
        Assert.Equal(file.GetProperty("size").GetInt64(), Sum(metrics, MemicTelemetry.IngestedBytesMetric, environmentId));
        Assert.Equal(4, Points(metrics, MemicTelemetry.IngestionStepDurationMetric, environmentId).Count);
    }

    [Fact]
    public async Task A_failed_file_marks_its_step_span_failed_and_counts_a_failure_at_that_step()
    {
        var (environmentId, key) = await _server.AdminClient().CreateEnvironmentAsync("traced-failure");
        using var client = _server.DataClient(key);

        var (file, _) = await Uploads.UploadAndWaitAsync(_server, client, "empty.md", "   \n\n  "u8.ToArray(), "text/markdown");

        var failedStatus = file.GetProperty("status").GetString()!;
        Assert.EndsWith("_failed", failedStatus, StringComparison.Ordinal);
        var step = failedStatus[..^"_failed".Length];
        var failedSpan = Assert.Single(Spans(environmentId), s => s.Status == ActivityStatusCode.Error && s.OperationName != MemicTelemetry.IngestionSpan);
        Assert.Equal(MemicTelemetry.IngestionStepSpan(step), failedSpan.OperationName);
        var metrics = await CollectAsync();
        Assert.Equal(1, Sum(metrics, MemicTelemetry.IngestedFilesMetric, environmentId, (MemicTelemetry.OutcomeTag, MemicTelemetry.Failed), (MemicTelemetry.StepTag, step)));
        Assert.Equal(0, Sum(metrics, MemicTelemetry.IngestedFilesMetric, environmentId, (MemicTelemetry.OutcomeTag, MemicTelemetry.Succeeded)));
    }

    [Fact]
    public async Task A_search_is_a_span_and_a_latency_histogram_point_of_its_environment()
    {
        var (environmentId, key) = await _server.AdminClient().CreateEnvironmentAsync("traced-search");
        var (otherId, _) = await _server.AdminClient().CreateEnvironmentAsync("traced-other");
        using var client = _server.DataClient(key);

        await (await client.PostAsJsonAsync("/api/v1/search", new { query = "heron" }, Ct)).ExpectAsync(HttpStatusCode.OK);
        await (await client.PostAsJsonAsync("/api/v1/search", new { query = "lake" }, Ct)).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal(2, Spans(environmentId).Count(s => s.OperationName == MemicTelemetry.SearchSpan));
        Assert.Empty(Spans(otherId));
        var histogram = Assert.Single(Points(await CollectAsync(), MemicTelemetry.SearchDurationMetric, environmentId));
        Assert.Equal(2, histogram.GetHistogramCount());
        Assert.True(histogram.GetHistogramSum() > 0);
    }

    [Fact]
    public async Task The_ingestion_queue_depth_is_a_gauge()
    {
        var metrics = await CollectAsync();

        var depth = Assert.Single(metrics, m => m.Name == MemicTelemetry.QueueDepthMetric);
        Assert.Contains(PointsOf(depth), p => Tag(p, MemicTelemetry.QueueTag) == "in-process" && p.GetGaugeLastValueLong() >= 0);
    }

    private List<Activity> Spans(Guid environmentId)
    {
        lock (_spans)
        {
            return [.. _spans.Where(s => Equals(s.GetTagItem(MemicTelemetry.EnvironmentIdTag), environmentId.ToString()))];
        }
    }

    private async Task<List<Metric>> CollectAsync()
    {
        _ = _server.Services; // started
        var provider = _server.Services.GetRequiredService<MeterProvider>();
        _metrics.Clear();
        await Task.Run(() => Assert.True(provider.ForceFlush(10_000)), Ct);
        return [.. _metrics];
    }

    private static List<MetricPoint> Points(List<Metric> metrics, string name, Guid environmentId, params (string Key, string Value)[] tags) =>
        [.. metrics.Where(m => m.Name == name).SelectMany(PointsOf)
            .Where(p => Tag(p, MemicTelemetry.EnvironmentIdTag) == environmentId.ToString() && tags.All(t => Tag(p, t.Key) == t.Value))];

    private static long Sum(List<Metric> metrics, string name, Guid environmentId, params (string Key, string Value)[] tags) =>
        Points(metrics, name, environmentId, tags).Sum(p => p.GetSumLong());

    private static List<MetricPoint> PointsOf(Metric metric)
    {
        var points = new List<MetricPoint>();
        foreach (ref readonly var point in metric.GetMetricPoints())
        {
            points.Add(point);
        }

        return points;
    }

    private static string? Tag(MetricPoint point, string key)
    {
        foreach (var tag in point.Tags)
        {
            if (tag.Key == key)
            {
                return tag.Value?.ToString();
            }
        }

        return null;
    }
}

/// <summary>OTLP export when OTEL_EXPORTER_OTLP_ENDPOINT names a collector: here a loopback receiver.</summary>
public sealed class OtlpExportTests
{
    [Fact]
    public async Task Spans_reach_the_collector_the_standard_otlp_variables_name()
    {
        using var receiver = new LoopbackOtlpReceiver();
        using var server = new MemicServerFactory
        {
            Settings = new Dictionary<string, string>
            {
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Endpoint,
                ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            },
        };
        var (environmentId, key) = await server.AdminClient().CreateEnvironmentAsync("otlp-search");
        using var client = server.DataClient(key);

        await (await client.PostAsJsonAsync("/api/v1/search", new { query = "heron" }, Ct)).ExpectAsync(HttpStatusCode.OK);
        var tracing = server.Services.GetRequiredService<TracerProvider>();
        await Task.Run(() => tracing.ForceFlush(10_000), Ct);

        // OTLP protobuf carries strings as UTF-8, so the span's name and its environment id tag are found as bytes.
        var export = await receiver.WaitForAsync(
            request => request.Path == "/v1/traces" && request.Contains(MemicTelemetry.SearchSpan) && request.Contains(environmentId.ToString()),
            TimeSpan.FromSeconds(30));
        Assert.Equal("application/x-protobuf", export.ContentType);
    }
}

/// <summary>Application Insights export when its connection string is set, as infra sets it for the Functions app.</summary>
public sealed class AzureMonitorExportTests
{
    [Fact]
    public async Task With_an_application_insights_connection_string_the_server_exports_every_span_as_the_app_identity()
    {
        using var server = new MemicServerFactory
        {
            Settings = new Dictionary<string, string>
            {
                ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = "InstrumentationKey=00000000-0000-0000-0000-000000000001;IngestionEndpoint=https://127.0.0.1:9/",
            },
        };
        using var admin = server.AdminClient();
        await (await admin.GetAsync("/health", Ct)).ExpectAsync(HttpStatusCode.OK);

        var options = server.Services.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<global::Azure.Monitor.OpenTelemetry.AspNetCore.AzureMonitorOptions>>().CurrentValue;

        // Application Insights takes Entra tokens only (infra turns local auth off).
        Assert.Same(server.Services.GetRequiredService<global::Azure.Core.TokenCredential>(), options.Credential);
        Assert.Null(options.TracesPerSecond);
        Assert.Equal(1.0F, options.SamplingRatio);
    }
}

/// <summary>Accepts OTLP/HTTP exports on a free loopback port and keeps what it received.</summary>
internal sealed class LoopbackOtlpReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly List<Received> _received = [];
    private readonly SemaphoreSlim _arrived = new(0);
    private readonly Task _loop;

    public LoopbackOtlpReceiver()
    {
        var port = FreePort();
        Endpoint = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(Endpoint + "/");
        _listener.Start();
        _loop = Task.Run(AcceptAsync);
    }

    public string Endpoint { get; }

    public async Task<Received> WaitForAsync(Func<Received, bool> match, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            lock (_received)
            {
                if (_received.FirstOrDefault(match) is { } found)
                {
                    return found;
                }
            }

            await _arrived.WaitAsync(deadline.Token);
        }
    }

    public void Dispose()
    {
        _listener.Close();
        _ = _loop.ContinueWith(_ => _arrived.Dispose(), TaskScheduler.Default);
    }

    private async Task AcceptAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            lock (_received)
            {
                _received.Add(new Received(context.Request.Url!.AbsolutePath, context.Request.ContentType, body.ToArray()));
            }

            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/x-protobuf";
            context.Response.Close();
            _arrived.Release();
        }
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    public sealed record Received(string Path, string? ContentType, byte[] Body)
    {
        public bool Contains(string text) => Body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;
    }
}
