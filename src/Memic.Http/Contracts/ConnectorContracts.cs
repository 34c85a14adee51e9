using System.Text.Json.Nodes;
using Memic.Core.Connectors;

namespace Memic.Http.Contracts;

public sealed record ConnectorColumnItem(string Name, string Type);

public sealed record ConnectorTableItem(string Schema, string Name, IReadOnlyList<ConnectorColumnItem> Columns);

/// <summary>A connector as CONTRACT §14 shows it: never its connection string.</summary>
public sealed record ConnectorResponse(
    Guid Id,
    string Name,
    string Kind,
    string? Description,
    ConnectorStatus Status,
    string? Error,
    IReadOnlyList<ConnectorTableItem> Tables,
    DateTimeOffset CreatedAt,
    DateTimeOffset RefreshedAt)
{
    public static ConnectorResponse From(Connector c) => new(
        c.Id, c.Name, c.Kind, c.Description, c.Status, c.Error,
        [.. c.Tables.Select(t => new ConnectorTableItem(t.Schema, t.Name, [.. t.Columns.Select(col => new ConnectorColumnItem(col.Name, col.Type))]))],
        c.CreatedAt, c.RefreshedAt);
}

/// <summary><c>results.structured</c> (CONTRACT §14): the rows of the query a connector answered, values typed as JSON.</summary>
public sealed record StructuredResultResponse(
    Guid ConnectorId,
    string ConnectorName,
    string Sql,
    IReadOnlyList<string> Columns,
    IReadOnlyList<IReadOnlyList<JsonNode?>> Rows,
    int RowCount,
    bool Truncated)
{
    public static StructuredResultResponse? From(StructuredResult? result) => result is null
        ? null
        : new(result.ConnectorId, result.ConnectorName, result.Sql, result.Rows.Columns, result.Rows.Rows, result.Rows.Rows.Count, result.Rows.Truncated);
}
