namespace Memic.Client;

/// <summary>
/// Keeps the raw JSON body of responses read by Memic clients within a scope (this async flow), for callers that want
/// the API's JSON exactly as it came, e.g. a command line's <c>--json</c>. Scopes nest and concurrent flows each see
/// their own.
/// </summary>
/// <example><code>
/// using var capture = MemicResponseCapture.Begin();
/// await client.SearchAsync(new SearchRequest("refund policy"));
/// Console.WriteLine(capture.LastBody);
/// </code></example>
public sealed class MemicResponseCapture : IDisposable
{
    private static readonly AsyncLocal<MemicResponseCapture?> CurrentScope = new();
    private readonly MemicResponseCapture? _outer;

    private MemicResponseCapture(MemicResponseCapture? outer) => _outer = outer;

    /// <summary>The body of the last response read in this scope (empty for 204), or null if none was read.</summary>
    public string? LastBody { get; private set; }

    /// <summary>Starts capturing in the current async flow until disposed.</summary>
    public static MemicResponseCapture Begin()
    {
        var scope = new MemicResponseCapture(CurrentScope.Value);
        CurrentScope.Value = scope;
        return scope;
    }

    /// <summary>Stops capturing; the enclosing scope, if any, captures again.</summary>
    public void Dispose()
    {
        if (CurrentScope.Value == this)
        {
            CurrentScope.Value = _outer;
        }
    }

    internal static void Record(string body)
    {
        if (CurrentScope.Value is { } scope)
        {
            scope.LastBody = body;
        }
    }
}
