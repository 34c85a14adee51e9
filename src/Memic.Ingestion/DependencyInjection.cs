using Memic.Core.Ports;
using Memic.Ingestion.Extraction;
using Memic.Ingestion.Extraction.Ocr;
using Memic.Ingestion.Isolation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Memic.Ingestion;

public static class DependencyInjection
{
    /// <summary>Whether OCR may be used: <c>Memic:Ocr:Enabled</c> (default true; OCR then runs when tesseract is installed).</summary>
    public const string OcrEnabledSetting = "Memic:Ocr:Enabled";

    /// <summary>
    /// Registers extraction for every supported format (OCR when enabled and tesseract is installed), run in extraction
    /// worker processes under <see cref="ExtractionIsolationOptions"/>, and chunking.
    /// </summary>
    public static IServiceCollection AddDocumentReading(this IServiceCollection services, IConfiguration configuration)
    {
        var ocrEnabled = configuration.GetValue(OcrEnabledSetting, defaultValue: true);
        services.AddOptions<ExtractionIsolationOptions>()
            .BindConfiguration(ExtractionIsolationOptions.Section)
            .Validate(o => o.MaxMemoryMB >= 128, $"{ExtractionIsolationOptions.Section}:MaxMemoryMB must be at least 128 (the worker's runtime alone needs tens of MB).")
            .Validate(o => o.Timeout > TimeSpan.Zero, $"{ExtractionIsolationOptions.Section}:Timeout must be positive.")
            .Validate(_ => ExtractorLaunch.Find(out string? _) is not null, $"The extraction worker {ExtractorLaunch.AssemblyFileName} must ship next to the app.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(_ => DocumentExtractorRegistry.CreateDefault(ocrEngine: ocrEnabled ? null : NoOcrEngine.Instance));
        services.TryAddSingleton<IDocumentReader>(provider => new IsolatedDocumentReader(
            provider.GetRequiredService<DocumentExtractorRegistry>(),
            provider.GetRequiredService<IOptions<ExtractionIsolationOptions>>().Value,
            ocrEnabled,
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<IsolatedDocumentReader>>()));
        return services;
    }
}
