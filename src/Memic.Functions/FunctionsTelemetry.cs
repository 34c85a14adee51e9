using Azure.Core;
using Azure.Monitor.OpenTelemetry.Exporter;
using Memic.Azure;
using Memic.Core.Telemetry;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Memic.Functions;

/// <summary>
/// OpenTelemetry for the Functions worker: the app's own spans and metrics (<see cref="MemicTelemetry"/>) and HttpClient's,
/// joined to the host's invocation spans (<c>UseFunctionsWorkerDefaults</c>; host.json's <c>telemetryMode</c> is
/// OpenTelemetry). Exported to Application Insights when <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set (infra sets
/// it from the App Insights resource), authenticated with the app's managed identity because the resource accepts Entra
/// tokens only; and over OTLP when the standard <c>OTEL_EXPORTER_OTLP_*</c> variables name a collector.
/// </summary>
public static class FunctionsTelemetry
{
    public const string ServiceName = "memic-functions";

    public const string ApplicationInsightsConnectionString = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    private static readonly string[] OtlpEndpoints =
    [
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
        "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
    ];

    public static IServiceCollection AddMemicTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName))
            .WithTracing(tracing => tracing
                .AddSource(MemicTelemetry.Name)
                .AddHttpClientInstrumentation())
            .WithMetrics(metrics => metrics
                .AddMeter(MemicTelemetry.Name)
                .AddHttpClientInstrumentation())
            .UseFunctionsWorkerDefaults();

        if (OtlpEndpoints.Any(name => !string.IsNullOrWhiteSpace(configuration[name])))
        {
            telemetry.UseOtlpExporter();
        }

        if (!string.IsNullOrWhiteSpace(configuration[ApplicationInsightsConnectionString]))
        {
            // The connection string comes from the same setting; the credential is the app's one identity (AZURE_CLIENT_ID),
            // which infra grants Monitoring Metrics Publisher on the App Insights resource.
            services.AddAzureCredential(configuration);
            telemetry.UseAzureMonitorExporter();
            services.AddOptions<AzureMonitorExporterOptions>().Configure<TokenCredential>((options, credential) =>
            {
                options.ConnectionString = configuration[ApplicationInsightsConnectionString];
                options.Credential = credential;

                // Every span, not the exporter's default rate limit: the workbook's counts and percentiles are read from them.
                options.TracesPerSecond = null;
                options.SamplingRatio = 1.0F;
            });
        }

        return services;
    }
}
