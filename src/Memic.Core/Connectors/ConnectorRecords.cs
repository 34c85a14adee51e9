using System.Text.Json.Nodes;

namespace Memic.Core.Connectors;

/// <summary>Whether a connector's last schema read succeeded (CONTRACT §14 <c>status</c>).</summary>
public enum ConnectorStatus
{
    Ready,
    Failed,
}

public sealed record ConnectorColumn(string Name, string Type);

/// <summary>A foreign key of an allow-listed table to another allow-listed table.</summary>
public sealed record ConnectorForeignKey(IReadOnlyList<string> Columns, string ReferencedSchema, string ReferencedTable, IReadOnlyList<string> ReferencedColumns);

/// <summary>One table (or view) the connector may query, as the database described it.</summary>
public sealed record ConnectorTable(
    string Schema,
    string Name,
    IReadOnlyList<ConnectorColumn> Columns,
    IReadOnlyList<string> PrimaryKey,
    IReadOnlyList<ConnectorForeignKey> ForeignKeys)
{
    public string QualifiedName => $"{Schema}.{Name}";
}

/// <summary>
/// A customer's PostgreSQL database, in one environment. <see cref="AllowList"/> is what the admin named (null: every
/// table the login can read); <see cref="Tables"/> is the schema read from the database within it. The connection string
/// is not here: it is a secret, kept by <see cref="Ports.IConnectorSecrets"/>.
/// </summary>
public sealed record Connector(
    Guid Id,
    Guid EnvironmentId,
    string Name,
    string Kind,
    string? Description,
    ConnectorStatus Status,
    string? Error,
    IReadOnlyList<string>? AllowList,
    IReadOnlyList<ConnectorTable> Tables,
    DateTimeOffset CreatedAt,
    DateTimeOffset RefreshedAt);

/// <summary>Rows a read-only query returned: values already typed for JSON, at most the row cap.</summary>
public sealed record QueryRows(IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<JsonNode?>> Rows, bool Truncated);

/// <summary><c>results.structured</c> of CONTRACT §14.</summary>
public sealed record StructuredResult(Guid ConnectorId, string ConnectorName, string Sql, QueryRows Rows);

/// <summary>A connector's database could not be reached or refused the login (422 <c>connector_unreachable</c>).</summary>
public sealed class ConnectorUnreachableException(string message, Exception? innerException = null)
    : Errors.MemicException(Errors.ErrorKind.Validation, Errors.ErrorCodes.ConnectorUnreachable, message, innerException);

/// <summary>A generated query was refused before reaching the database, or the database refused or failed it.</summary>
public sealed class StructuredQueryException(string message, Exception? innerException = null)
    : Errors.MemicException(Errors.ErrorKind.Validation, Errors.ErrorCodes.StructuredQueryFailed, message, innerException);
