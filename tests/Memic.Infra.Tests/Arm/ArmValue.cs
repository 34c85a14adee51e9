using System.Globalization;
using System.Text.Json;

namespace Memic.Infra.Tests.Arm;

/// <summary>
/// A value only known during a real deployment (a <c>reference()</c> result, a key list). The
/// evaluator keeps how it is derived, so tests can assert where a value comes from.
/// </summary>
internal sealed record Opaque(string Text)
{
    public override string ToString() => Text;
}

/// <summary>
/// Template values as plain CLR objects: null, bool, long, string, <see cref="List{T}"/> of values,
/// <see cref="Dictionary{TKey,TValue}"/> (case-insensitive keys, as in ARM) and <see cref="Opaque"/>.
/// </summary>
internal static class ArmValue
{
    public static object? FromJson(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject()
            .ToDictionary(p => p.Name, p => FromJson(p.Value), StringComparer.OrdinalIgnoreCase),
        JsonValueKind.Array => element.EnumerateArray().Select(FromJson).ToList(),
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetInt64(out var number) ? (object)number : element.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    public static Dictionary<string, object?> NewObject() => new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How ARM's string() and format() print a value.</summary>
    public static string ToArmString(object? value) => value switch
    {
        null => string.Empty,
        string s => s,
        bool b => b ? "True" : "False",
        long n => n.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString(CultureInfo.InvariantCulture),
        Opaque o => o.Text,
        _ => JsonSerializer.Serialize(ToSerializable(value)),
    };

    /// <summary>Readable form used when a call's result is opaque.</summary>
    public static string Render(object? value) => value switch
    {
        string s => $"'{s}'",
        null => "null",
        _ => ToArmString(value),
    };

    public static new bool Equals(object? left, object? right) => (left, right) switch
    {
        (null, null) => true,
        (List<object?> a, List<object?> b) => a.Count == b.Count && a.Zip(b).All(p => Equals(p.First, p.Second)),
        (Dictionary<string, object?> a, Dictionary<string, object?> b) =>
            a.Count == b.Count && a.All(p => b.TryGetValue(p.Key, out var v) && Equals(p.Value, v)),
        (long a, double b) => a == b,
        (double a, long b) => a == b,
        _ => object.Equals(left, right),
    };

    private static object? ToSerializable(object? value) => value switch
    {
        Dictionary<string, object?> o => o.ToDictionary(p => p.Key, p => ToSerializable(p.Value)),
        List<object?> a => a.Select(ToSerializable).ToList(),
        Opaque o => o.Text,
        _ => value,
    };
}
