using System.Diagnostics;
using System.Diagnostics.Metrics;
using Azure.Core;
using Azure.Monitor.OpenTelemetry.Exporter;
using Memic.Core.Keys;
using Memic.Core.Telemetry;
using Memic.Functions.Ingestion;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Memic.Functions.Tests;

/// <summary>The worker's OpenTelemetry: composed as Program composes it, exporting with the app's identity, plus the queue-depth gauge.</summary>
public sealed class TelemetryTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    [Fact]
    public void With_application_insights_and_otlp_set_the_worker_exports_memic_spans_with_the_app_identity()
    {
        var exported = new List<Activity>();
        var builder = FunctionsApplication.CreateBuilder([]);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["MEMIC_ADMIN_KEY"] = ApiKeyFormat.NewAdminKey(),
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
            ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = "InstrumentationKey=00000000-0000-0000-0000-000000000001;IngestionEndpoint=https://127.0.0.1:9/",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:9",
        });
        builder.ConfigureFunctionsWebApplication();
        builder.Services.AddMemicTelemetry(builder.Configuration);
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(exported));
        using var app = builder.Build();
        var environmentId = Guid.NewGuid();

        _ = app.Services.GetRequiredService<TracerProvider>();
        MemicTelemetry.StartSearch(environmentId)?.Dispose();

        Assert.Contains(exported, s => s.OperationName == MemicTelemetry.SearchSpan && Equals(s.GetTagItem(MemicTelemetry.EnvironmentIdTag), environmentId.ToString()));
        // Application Insights takes Entra tokens only: the exporter authenticates as the app's one identity.
        var monitor = app.Services.GetRequiredService<IOptionsMonitor<AzureMonitorExporterOptions>>().CurrentValue;
        Assert.Same(app.Services.GetRequiredService<TokenCredential>(), monitor.Credential);
        Assert.Contains("InstrumentationKey=00000000-0000-0000-0000-000000000001", monitor.ConnectionString, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_exporter_settings_nothing_is_exported_and_no_credential_is_needed()
    {
        var builder = FunctionsApplication.CreateBuilder([]);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true" });
        builder.Services.AddMemicTelemetry(builder.Configuration);

        using var app = builder.Build();

        Assert.NotNull(app.Services.GetRequiredService<TracerProvider>());
        Assert.Null(app.Services.GetService<TokenCredential>());
    }

    [Fact]
    public async Task The_storage_queue_depth_is_read_periodically_and_reported_on_the_gauge()
    {
        await Azurite.RequireAsync();
        var queue = AzuriteQueues.Ingestion($"depth-{Guid.NewGuid():n}");
        for (var i = 0; i < 3; i++)
        {
            await queue.EnqueueAsync(Guid.NewGuid(), Guid.NewGuid(), Ct);
        }

        using var probe = new IngestionQueueDepthProbe(queue, TimeProvider.System, NullLogger<IngestionQueueDepthProbe>.Instance);
        await probe.StartAsync(Ct);
        try
        {
            var reported = await WaitForGaugeAsync(queue.QueueName, 3);

            Assert.Equal(3, reported);
            Assert.Equal(3, probe.LastDepth);
        }
        finally
        {
            await probe.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>Reads the gauge until it reports <paramref name="expected"/> for the queue (the probe's first reading is asynchronous).</summary>
    private static async Task<long?> WaitForGaugeAsync(string queueName, long expected)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        long? last = null;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == MemicTelemetry.Name && instrument.Name == MemicTelemetry.QueueDepthMetric)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == MemicTelemetry.QueueTag && Equals(tag.Value, queueName))
                {
                    last = value;
                }
            }
        });
        listener.Start();
        while (DateTime.UtcNow < deadline)
        {
            listener.RecordObservableInstruments();
            if (last == expected)
            {
                return last;
            }

            await Task.Delay(50, Ct);
        }

        return last;
    }
}
