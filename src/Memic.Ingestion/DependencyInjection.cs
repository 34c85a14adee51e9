using Memic.Core.Ports;
using Memic.Ingestion.Extraction;
using Memic.Ingestion.Extraction.Ocr;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Memic.Ingestion;

public static class DependencyInjection
{
    /// <summary>Whether OCR may be used: <c>Memic:Ocr:Enabled</c> (default true; OCR then runs when tesseract is installed).</summary>
    public const string OcrEnabledSetting = "Memic:Ocr:Enabled";

    /// <summary>Registers extraction for every supported format (OCR when enabled and tesseract is installed) and chunking.</summary>
    public static IServiceCollection AddDocumentReading(this IServiceCollection services, IConfiguration configuration)
    {
        var ocrEnabled = configuration.GetValue(OcrEnabledSetting, defaultValue: true);
        services.TryAddSingleton(_ => DocumentExtractorRegistry.CreateDefault(ocrEngine: ocrEnabled ? null : NoOcrEngine.Instance));
        services.TryAddSingleton<IDocumentReader, IngestionDocumentReader>();
        return services;
    }
}
