using System.Text;
using System.Text.Json;

namespace Memic.Azure.Provisioning.Internals;

/// <summary>ARM's error object (<c>{"error":{"code","message","details":[…]}}</c>), flattened into one readable line.</summary>
internal sealed record ArmError(string Code, string Message, IReadOnlyList<ArmError> Details)
{
    /// <summary>The first leaf of the detail tree: the actual cause under wrappers such as DeploymentFailed.</summary>
    public ArmError RootCause => Details.Count == 0 ? this : Details[0].RootCause;

    /// <summary>Reads the error of an ARM response body, or of a deployment's <c>properties.error</c>; null when there is none.</summary>
    public static ArmError? FromBody(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            if (root.TryGetProperty("error", out var error))
            {
                return From(error);
            }

            return root.TryGetProperty("properties", out var properties)
                && properties.ValueKind == JsonValueKind.Object
                && properties.TryGetProperty("error", out var deploymentError)
                ? From(deploymentError)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public override string ToString()
    {
        var text = new StringBuilder();
        Append(text, this);
        return text.ToString();
    }

    private static void Append(StringBuilder text, ArmError error)
    {
        text.Append(error.Code);
        if (error.Message.Length > 0)
        {
            text.Append(": ").Append(error.Message);
        }

        foreach (var detail in error.Details)
        {
            text.Append(" → ");
            Append(text, detail);
        }
    }

    private static ArmError? From(JsonElement error)
    {
        if (error.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var details = error.TryGetProperty("details", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Select(From).OfType<ArmError>().ToList()
            : [];
        return new ArmError(Text(error, "code") ?? "Unknown", Text(error, "message") ?? string.Empty, details);
    }

    private static string? Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
