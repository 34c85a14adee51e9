using Memic.Core.Keys;
using Memic.Core.Tenancy;
using Microsoft.AspNetCore.Http;

namespace Memic.Http.Routing;

/// <summary>
/// The environment key's owner, as a data-plane handler receives it: set by the authentication filter, so a handler
/// that takes one only ever runs for an authenticated environment key.
/// </summary>
public sealed record EnvironmentCaller(Caller Caller, EnvironmentContext Context)
{
    private static readonly object ItemKey = new();

    public Guid EnvironmentId => Context.Environment.Id;

    /// <summary>Minimal APIs' binding convention: the caller comes from the request, not the body.</summary>
    public static ValueTask<EnvironmentCaller?> BindAsync(HttpContext context) =>
        ValueTask.FromResult(context.Items.TryGetValue(ItemKey, out var caller) ? caller as EnvironmentCaller : null);

    internal static void Set(HttpContext context, EnvironmentCaller caller) => context.Items[ItemKey] = caller;
}
