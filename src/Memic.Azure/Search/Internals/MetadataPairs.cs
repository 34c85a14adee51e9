namespace Memic.Azure.Search.Internals;

/// <summary>
/// Custom file metadata as a collection of <c>key=value</c> strings, so an exact key/value match is one
/// <c>metadata/any(m: m eq '...')</c>. The key's own '%' and '=' are percent-escaped, so the first '=' always ends
/// the key and no two different pairs share an encoding ("a=b"→"c" and "a"→"b=c" stay apart).
/// </summary>
internal static class MetadataPairs
{
    public static string Encode(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        return string.Concat(key.Replace("%", "%25", StringComparison.Ordinal).Replace("=", "%3D", StringComparison.Ordinal), "=", value);
    }

    public static KeyValuePair<string, string> Decode(string pair)
    {
        ArgumentNullException.ThrowIfNull(pair);
        var separator = pair.IndexOf('=', StringComparison.Ordinal);
        if (separator < 0)
        {
            throw new FormatException("A stored metadata pair has no '=' separator.");
        }

        var key = pair[..separator].Replace("%3D", "=", StringComparison.Ordinal).Replace("%25", "%", StringComparison.Ordinal);
        return new KeyValuePair<string, string>(key, pair[(separator + 1)..]);
    }
}
