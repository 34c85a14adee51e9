using Memic.Connectors.PostgreSql;
using Memic.Core.Ports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Memic.Connectors;

public static class DependencyInjection
{
    /// <summary>Registers PostgreSQL as the database connectors reach (CONTRACT §14); Azure Database for PostgreSQL is the same.</summary>
    public static IServiceCollection AddPostgreSqlConnectors(this IServiceCollection services)
    {
        services.TryAddSingleton<IConnectorDatabase, PostgreSqlConnectorDatabase>();
        return services;
    }
}
