using Memic.Core.Ports;
using Memic.Ingestion.Extraction;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Memic.Ingestion;

public static class DependencyInjection
{
    /// <summary>Registers extraction for every supported format (OCR when tesseract is installed) and chunking.</summary>
    public static IServiceCollection AddDocumentReading(this IServiceCollection services)
    {
        services.TryAddSingleton(_ => DocumentExtractorRegistry.CreateDefault());
        services.TryAddSingleton<IDocumentReader, IngestionDocumentReader>();
        return services;
    }
}
