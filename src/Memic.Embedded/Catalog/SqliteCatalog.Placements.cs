using System.Globalization;
using Memic.Core.Errors;
using Memic.Core.Ports;
using Memic.Embedded.Internals;
using Microsoft.Data.Sqlite;

namespace Memic.Embedded.Catalog;

/// <summary>Search placements: the <c>search_service</c> column of the environment row, and the services grown at run time.</summary>
public sealed partial class SqliteCatalog : ISearchPlacementCatalog
{
    public async Task AddSearchServiceAsync(PooledSearchService service, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            """
            INSERT INTO search_services (name, endpoint, index_capacity, search_units, added_at)
            VALUES ($name, $endpoint, $capacity, $units, $added)
            ON CONFLICT (name) DO NOTHING
            """,
            cancellationToken,
            ("$name", service.Name), ("$endpoint", service.Endpoint.AbsoluteUri), ("$capacity", service.IndexCapacity), ("$units", service.SearchUnits),
            ("$added", service.AddedAt));
    }

    public Task<IReadOnlyList<PooledSearchService>> ListSearchServicesAsync(CancellationToken cancellationToken) =>
        ListAsync("SELECT * FROM search_services ORDER BY added_at, name", MapSearchService, cancellationToken);

    public async Task<IReadOnlyDictionary<string, int>> CountPlacementsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync(
            "SELECT search_service, COUNT(*) AS placed FROM environments WHERE search_service IS NOT NULL GROUP BY search_service",
            r => (Service: r.GetString("search_service"), Placed: r.GetInt32(r.GetOrdinal("placed"))),
            cancellationToken);
        return rows.ToDictionary(r => r.Service, r => r.Placed, StringComparer.Ordinal);
    }

    public async Task<string?> GetPlacementAsync(Guid environmentId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT search_service FROM environments WHERE id = $id", ("$id", environmentId));
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    public async Task<string?> TryPlaceAsync(Guid environmentId, string serviceName, int indexCapacity, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);

        // One statement: a write statement takes SQLite's write lock before it reads, so the count and the update see
        // no other placement in between, and "search_service IS NULL" keeps an earlier placement.
        await connection.ExecuteAsync(
            """
            UPDATE environments SET search_service = $service
            WHERE id = $id AND search_service IS NULL
              AND (SELECT COUNT(*) FROM environments WHERE search_service = $service) < $capacity
            """,
            cancellationToken, ("$id", environmentId), ("$service", serviceName), ("$capacity", indexCapacity));

        await using var command = connection.Command("SELECT id, search_service FROM environments WHERE id = $id", ("$id", environmentId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? reader.GetNullableString("search_service")
            : throw NotFoundException.Resource("Environment", environmentId);
    }

    public async Task ReleasePlacementAsync(Guid environmentId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync("UPDATE environments SET search_service = NULL WHERE id = $id", cancellationToken, ("$id", environmentId));
    }

    private static PooledSearchService MapSearchService(SqliteDataReader r) =>
        new(r.GetString("name"), new Uri(r.GetString("endpoint"), UriKind.Absolute),
            r.GetInt32(r.GetOrdinal("index_capacity")), r.GetInt32(r.GetOrdinal("search_units")), r.GetTimestamp("added_at"));
}
