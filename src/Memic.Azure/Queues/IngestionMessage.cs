using System.Text.Json;
using System.Text.Json.Serialization;

namespace Memic.Azure.Queues;

/// <summary>A file to ingest, as a queue message: <c>{"environment_id": "...", "file_id": "..."}</c>.</summary>
public sealed record IngestionMessage(
    [property: JsonPropertyName("environment_id")] Guid EnvironmentId,
    [property: JsonPropertyName("file_id")] Guid FileId)
{
    public string ToJson() => JsonSerializer.Serialize(this);

    /// <summary>Reads a message; null for anything that is not one (a poison message must not be retried forever).</summary>
    public static IngestionMessage? TryParse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<IngestionMessage>(text) is { } message && message.EnvironmentId != Guid.Empty && message.FileId != Guid.Empty
                ? message
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
