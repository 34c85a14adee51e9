using System.Reflection;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace Memic.Http.OpenApi;

/// <summary>Where a host's <c>/openapi/v1.json</c> comes from.</summary>
public interface IOpenApiDocumentSource
{
    Task<string> GetJsonAsync(CancellationToken cancellationToken);
}

/// <summary>The local server's: generated from the mapped route table (its endpoints carry the handlers' shapes).</summary>
public sealed class GeneratedOpenApiDocument([FromKeyedServices(MemicOpenApi.DocumentName)] IOpenApiDocumentProvider provider) : IOpenApiDocumentSource
{
    public async Task<string> GetJsonAsync(CancellationToken cancellationToken)
    {
        var document = await provider.GetOpenApiDocumentAsync(cancellationToken);
        using var text = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        document.SerializeAsV31(new OpenApiJsonWriter(text));
        return text.ToString().ReplaceLineEndings("\n") + "\n";
    }
}

/// <summary>
/// The Functions host's: the checked-in <c>docs/openapi.json</c>, embedded at build. The worker has no endpoint routing
/// of ours to generate from; the drift test holds the checked-in copy equal to what the local server generates.
/// </summary>
public sealed class CheckedInOpenApiDocument : IOpenApiDocumentSource
{
    private static readonly Lazy<string> Json = new(() =>
    {
        using var stream = typeof(CheckedInOpenApiDocument).Assembly.GetManifestResourceStream("Memic.Http.openapi.json")
            ?? throw new InvalidOperationException("docs/openapi.json was not embedded in Memic.Http.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    public Task<string> GetJsonAsync(CancellationToken cancellationToken) => Task.FromResult(Json.Value);
}
