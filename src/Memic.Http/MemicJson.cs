using System.Text.Json;
using System.Text.Json.Serialization;

namespace Memic.Http;

/// <summary>The wire's JSON: snake_case names and enum values, ISO-8601 timestamps (CONTRACT preamble).</summary>
public static class MemicJson
{
    /// <summary>How enum values are spelled on the wire, e.g. <c>FileStatus.EmbeddingStarted</c> → <c>embedding_started</c>.</summary>
    public static readonly JsonNamingPolicy EnumNaming = JsonNamingPolicy.SnakeCaseLower;

    public static readonly JsonSerializerOptions Options = Create();

    /// <summary>
    /// Gives options the wire's conventions; the hosts' HTTP JSON options get them too, so typed results and the
    /// OpenAPI document's schemas spell names as the wire does.
    /// </summary>
    public static void ApplyTo(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DictionaryKeyPolicy = null;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        options.Converters.Add(new JsonStringEnumConverter(EnumNaming));
        options.Converters.Add(new UtcTimestampConverter());
    }

    /// <summary>
    /// Builds <paramref name="options"/>' metadata for every wire contract now, which otherwise the first request of
    /// each kind pays for (tens of milliseconds for a search's request and response).
    /// </summary>
    public static void PrepareContracts(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var contracts = typeof(MemicJson).Assembly.GetExportedTypes()
            .Where(t => t.Namespace == ContractsNamespace && t is { IsClass: true, IsAbstract: false, ContainsGenericParameters: false });
        foreach (var contract in contracts)
        {
            options.GetTypeInfo(contract);
        }
    }

    private const string ContractsNamespace = "Memic.Http.Contracts";

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        ApplyTo(options);
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary>Writes timestamps as <c>2026-11-27T17:31:00Z</c>: UTC, whole seconds unless finer precision exists.</summary>
    private sealed class UtcTimestampConverter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.GetDateTimeOffset();

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
        {
            var utc = value.ToUniversalTime();
            writer.WriteStringValue(utc.ToString(utc.Ticks % TimeSpan.TicksPerSecond == 0 ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'"));
        }
    }
}
