using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;

namespace Memic.Server;

/// <summary>The server's default settings (appsettings.json), wherever it is started from.</summary>
internal static class ServerDefaults
{
    /// <summary>
    /// Adds the appsettings.json shipped beside the binary beneath every other source: <c>dotnet run</c> starts the
    /// server in the caller's directory (the content root), where the host's own appsettings.json lookup finds nothing.
    /// </summary>
    public static IConfigurationBuilder AddServerDefaults(this IConfigurationBuilder configuration)
    {
        configuration.Sources.Insert(0, new JsonConfigurationSource
        {
            FileProvider = new PhysicalFileProvider(AppContext.BaseDirectory),
            Path = "appsettings.json",
            Optional = true,
            ReloadOnChange = false,
        });
        return configuration;
    }
}
