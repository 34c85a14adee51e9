using Memic.Core.Ports;
using Memic.Embedded.Catalog;
using Memic.Embedded.Keys;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Memic.Embedded;

public static class DependencyInjection
{
    /// <summary>Registers the embedded catalog (SQLite) and key store under the data directory.</summary>
    public static IServiceCollection AddEmbeddedCatalogAndKeys(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<EmbeddedOptions>().Bind(configuration.GetSection(EmbeddedOptions.Section))
            .Validate(o => !string.IsNullOrWhiteSpace(o.DataDirectory), "Memic:DataDirectory (MEMIC_DATA_DIR) must not be empty.")
            .ValidateOnStart();

        services.TryAddSingleton<SqliteCatalog>();
        services.TryAddSingleton<ITenancyCatalog>(sp => sp.GetRequiredService<SqliteCatalog>());
        services.TryAddSingleton<IKeyCatalog>(sp => sp.GetRequiredService<SqliteCatalog>());
        services.TryAddSingleton<IHostSettingsCatalog>(sp => sp.GetRequiredService<SqliteCatalog>());
        services.TryAddSingleton<IApiKeyStore, SqliteApiKeyStore>();
        return services;
    }
}
