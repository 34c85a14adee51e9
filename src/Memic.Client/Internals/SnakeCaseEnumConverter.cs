using System.Text.Json;
using System.Text.Json.Serialization;

namespace Memic.Client.Internals;

/// <summary>Enum values as the wire spells them: <c>EmbeddingStarted</c> ↔ <c>embedding_started</c>.</summary>
internal sealed class SnakeCaseEnumConverter<TEnum>() : JsonStringEnumConverter<TEnum>(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false)
    where TEnum : struct, Enum;
