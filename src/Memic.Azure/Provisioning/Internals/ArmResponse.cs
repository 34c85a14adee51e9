using System.Text.Json;

namespace Memic.Azure.Provisioning.Internals;

/// <summary>What the deployer needs of one ARM answer, read in full so no response outlives its request.</summary>
internal sealed record ArmResponse(int Status, string Body, TimeSpan? RetryAfter, Uri? AsyncOperation)
{
    public bool IsSuccess => Status is >= 200 and < 300;

    public ArmError? Error => ArmError.FromBody(Body);

    /// <summary>The LRO status: <c>status</c> of an operation status, or <c>properties.provisioningState</c> of a deployment.</summary>
    public string? ProvisioningState => Read(root =>
        root.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.String
            ? status.GetString()
            : root.TryGetProperty("properties", out var properties)
              && properties.ValueKind == JsonValueKind.Object
              && properties.TryGetProperty("provisioningState", out var state)
              && state.ValueKind == JsonValueKind.String
                ? state.GetString()
                : null);

    /// <summary>A string output of a deployment (<c>properties.outputs.&lt;name&gt;.value</c>).</summary>
    public string? Output(string name) => Read(root =>
        root.TryGetProperty("properties", out var properties)
        && properties.ValueKind == JsonValueKind.Object
        && properties.TryGetProperty("outputs", out var outputs)
        && outputs.ValueKind == JsonValueKind.Object
        && outputs.TryGetProperty(name, out var output)
        && output.ValueKind == JsonValueKind.Object
        && output.TryGetProperty("value", out var value)
            ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText()
            : null);

    public static async Task<ArmResponse> ReadAsync(HttpResponseMessage message, TimeProvider time, CancellationToken cancellationToken)
    {
        var body = await message.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var retryAfter = Memic.Azure.Internals.RetryAfter.Read(message, time.GetUtcNow());
        var asyncOperation = message.Headers.TryGetValues("Azure-AsyncOperation", out var values)
            && Uri.TryCreate(values.FirstOrDefault(), UriKind.Absolute, out var uri)
            ? uri
            : null;
        return new ArmResponse((int)message.StatusCode, body, retryAfter, asyncOperation);
    }

    private string? Read(Func<JsonElement, string?> read)
    {
        try
        {
            using var document = JsonDocument.Parse(Body);
            return document.RootElement.ValueKind == JsonValueKind.Object ? read(document.RootElement) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
