using System.Buffers;
using Microsoft.AspNetCore.Http;

namespace Memic.Http;

/// <summary>Every response carries <c>X-Request-Id</c>: the caller's when it is sane, else a new one.</summary>
public static class RequestIds
{
    public const string Header = "X-Request-Id";
    private const int MaxLength = 128;
    private static readonly object ItemKey = new();
    private static readonly SearchValues<char> Allowed =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:");

    /// <summary>The request's id if one was assigned, without assigning one (the response may have started).</summary>
    public static string? Find(HttpContext context) =>
        context.Items.TryGetValue(ItemKey, out var existing) ? existing as string : null;

    /// <summary>Returns the request's id, assigning one and setting the response header the first time.</summary>
    public static string Ensure(HttpContext context)
    {
        if (context.Items.TryGetValue(ItemKey, out var existing) && existing is string id)
        {
            return id;
        }

        var incoming = context.Request.Headers[Header].ToString();
        id = incoming.Length is > 0 and <= MaxLength && !incoming.AsSpan().ContainsAnyExcept(Allowed)
            ? incoming
            : Guid.NewGuid().ToString("D");
        context.Items[ItemKey] = id;
        context.Response.Headers[Header] = id;
        return id;
    }
}
