using Azure.Core;
using Azure.Monitor.OpenTelemetry.AspNetCore;
using Memic.Azure;
using Memic.Core.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Memic.Server;

/// <summary>
/// OpenTelemetry for the local server: the app's own spans and metrics (<see cref="MemicTelemetry"/>) with ASP.NET Core's
/// and HttpClient's, exported over OTLP when the standard <c>OTEL_EXPORTER_OTLP_*</c> variables name a collector, and to
/// Application Insights when <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set (with the app's Entra credential, as the
/// Functions host does). With neither, nothing leaves the process. See docs/telemetry.md.
/// </summary>
public static class ServerTelemetry
{
    public const string ServiceName = "memic-server";

    public static IServiceCollection AddMemicTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName))
            .WithTracing(tracing => tracing
                .AddSource(MemicTelemetry.Name)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation())
            .WithMetrics(metrics => metrics
                .AddMeter(MemicTelemetry.Name)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation());

        if (TelemetryExport.OtlpConfigured(configuration))
        {
            telemetry.UseOtlpExporter();
        }

        if (TelemetryExport.ApplicationInsightsConfigured(configuration))
        {
            // Application Insights has local auth off (infra/modules/monitoring.bicep): ingestion needs an Entra token.
            services.AddAzureCredential(configuration);
            telemetry.UseAzureMonitor();
            services.AddOptions<AzureMonitorOptions>().Configure<TokenCredential>((options, credential) =>
            {
                options.Credential = credential;

                // Every span, not the distro's default rate limit: the workbook's counts and percentiles are read from them.
                options.TracesPerSecond = null;
                options.SamplingRatio = 1.0F;
            });
        }

        return services;
    }
}

/// <summary>Which exporters the standard settings ask for.</summary>
public static class TelemetryExport
{
    public const string ApplicationInsightsConnectionString = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    private static readonly string[] OtlpEndpoints =
    [
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
        "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
    ];

    public static bool OtlpConfigured(IConfiguration configuration) =>
        OtlpEndpoints.Any(name => !string.IsNullOrWhiteSpace(configuration[name]));

    public static bool ApplicationInsightsConfigured(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[ApplicationInsightsConnectionString]);
}
