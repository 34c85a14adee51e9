using System.Collections.Frozen;
using Memic.Http.Filters;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Memic.Http.Routing;

/// <summary>
/// What every route goes through, in both hosts: its endpoint filters (request id, the error envelope,
/// authentication for the route's audience, the caller's rate limit, usage) around its typed handler. The chains
/// are built once; the Functions worker has no endpoint routing of ours, so both hosts run them from here.
/// </summary>
public sealed class MemicRequestPipeline
{
    private readonly FrozenDictionary<string, EndpointFilterDelegate> _chains;

    public MemicRequestPipeline(IServiceProvider services) =>
        _chains = MemicRouteTable.All.ToFrozenDictionary(r => r.Name, r => Chain(r, services), StringComparer.Ordinal);

    /// <summary>Runs the route and returns its result; errors come back as envelope results, never as exceptions.</summary>
    public async Task<IResult> ProcessAsync(MemicRoute route, HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(route);
        var result = await _chains[route.Name](new DefaultEndpointFilterInvocationContext(context));
        return result as IResult ?? throw new InvalidOperationException($"Route {route.Name} produced no result.");
    }

    /// <summary>Runs the route and writes its response (the local host's endpoints).</summary>
    public async Task HandleAsync(MemicRoute route, HttpContext context)
    {
        var result = await ProcessAsync(route, context);
        await result.ExecuteAsync(context);
    }

    /// <summary>The route's filters, outermost first.</summary>
    internal static IEnumerable<IEndpointFilter> Filters(MemicRoute route, IServiceProvider services)
    {
        yield return new RequestIdFilter();
        yield return ActivatorUtilities.CreateInstance<ErrorEnvelopeFilter>(services);
        if (route.Audience != RouteAudience.Public)
        {
            yield return ActivatorUtilities.CreateInstance<AuthenticationFilter>(services, route);
        }

        if (route.RateLimit is { } category)
        {
            yield return ActivatorUtilities.CreateInstance<RateLimitFilter>(services, category);
        }

        if (route.Audience == RouteAudience.DataPlane)
        {
            yield return ActivatorUtilities.CreateInstance<UsageFilter>(services);
        }
    }

    private static EndpointFilterDelegate Chain(MemicRoute route, IServiceProvider services)
    {
        var invoker = RouteHandlerInvoker.For(route);
        EndpointFilterDelegate chain = invoker.InvokeAsync;
        foreach (var filter in Filters(route, services).Reverse())
        {
            var next = chain;
            chain = context => filter.InvokeAsync(context, next);
        }

        return chain;
    }
}
