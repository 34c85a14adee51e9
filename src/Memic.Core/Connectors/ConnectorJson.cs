using System.Text.Json;

namespace Memic.Core.Connectors;

/// <summary>How catalogs store a connector's schema and allow-list: JSON, the same in every adapter.</summary>
public static class ConnectorJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static string Tables(IReadOnlyList<ConnectorTable> tables) => JsonSerializer.Serialize(tables, Options);

    public static IReadOnlyList<ConnectorTable> Tables(string json) => JsonSerializer.Deserialize<List<ConnectorTable>>(json, Options) ?? [];

    public static string? AllowList(IReadOnlyList<string>? allowList) => allowList is null ? null : JsonSerializer.Serialize(allowList, Options);

    public static IReadOnlyList<string>? AllowList(string? json) => json is null ? null : JsonSerializer.Deserialize<List<string>>(json, Options);
}
