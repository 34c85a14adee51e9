using System.ComponentModel.DataAnnotations;
using Memic.Core.Connectors;

namespace Memic.Http.Contracts;

/// <summary>
/// A new connector (CONTRACT §14): <c>tables</c> is an allow-list of <c>"schema.table"</c>, every table the login can read
/// when omitted. The connection string is a secret: it is stored encrypted or in Key Vault and never returned.
/// </summary>
public sealed record CreateConnectorRequest(
    [Required, StringLength(200, MinimumLength = 1)] string Name,
    [Required, StringLength(50, MinimumLength = 1)] string Kind,
    [Required, StringLength(ConnectorService.MaxConnectionStringLength, MinimumLength = 1)] string ConnectionString,
    [StringLength(ConnectorService.MaxDescriptionLength)] string? Description = null,
    [MaxLength(ConnectorService.MaxAllowListTables)] IReadOnlyList<string>? Tables = null)
{
    public NewConnector ToNewConnector() => new(Name, Kind, ConnectionString, Description, Tables);

    /// <summary>Never the connection string, should a record ever be logged or shown in a validation echo.</summary>
    public override string ToString() => $"CreateConnectorRequest {{ Name = {Name}, Kind = {Kind}, Tables = {Tables?.Count} }}";
}

/// <summary><c>connector_id</c> of search and chat: an id that is not a UUID names no connector, like an unknown one.</summary>
internal static class ConnectorIds
{
    public static Guid? Parse(string? connectorId) =>
        connectorId is null ? null : Guid.TryParse(connectorId, out var id) ? id : Guid.Empty;
}
