using System.Text.Json;

namespace Memic.Azure.Provisioning.Internals;

/// <summary>
/// infra/search-service.bicep compiled to ARM JSON at build time (infra/Memic.Infra.targets), so the deployer sends exactly
/// what the Bicep source says and nobody maintains ARM JSON by hand.
/// </summary>
internal static class SearchServiceTemplate
{
    public const string ResourceName = "Memic.Infra.search-service.json";

    private static readonly Lazy<string> Text = new(Load);

    /// <summary>The template's JSON text.</summary>
    public static string Json => Text.Value;

    private static string Load()
    {
        using var stream = typeof(SearchServiceTemplate).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException(
                $"The embedded resource {ResourceName} is missing; Memic.Azure must be built with infra/Memic.Infra.targets imported.");
        using var reader = new StreamReader(stream);
        var json = reader.ReadToEnd();

        // Fail here, once, rather than send ARM something it would reject on every deployment.
        using var document = JsonDocument.Parse(json);
        return json;
    }
}
