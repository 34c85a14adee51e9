using System.Collections.Frozen;
using Memic.Http.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;

namespace Memic.Functions.Http;

/// <summary>
/// Runs a route of the shared <see cref="MemicRouteTable"/> for an HTTP function: the same pipeline, handlers and
/// error envelopes as the local host. Functions name their route; the request must be one the route serves.
/// </summary>
public sealed class SharedRoutes(MemicRequestPipeline pipeline)
{
    private static readonly FrozenDictionary<string, RouteEntry> Routes =
        MemicRouteTable.All.ToFrozenDictionary(r => r.Name, r => new RouteEntry(r), StringComparer.Ordinal);

    /// <summary>Runs the named route; errors come back as envelope results (the pipeline's contract).</summary>
    public Task<IResult> RunAsync(string routeName, HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var entry = Routes.TryGetValue(routeName, out var found)
            ? found
            : throw new InvalidOperationException($"No route named '{routeName}' exists in the route table.");
        entry.BindRouteValues(request);
        return pipeline.ProcessAsync(entry.Route, request.HttpContext);
    }

    /// <summary>A route and a matcher per path it answers on.</summary>
    private sealed class RouteEntry(MemicRoute route)
    {
        private readonly TemplateMatcher[] _matchers =
            [.. route.Paths.Select(path => new TemplateMatcher(TemplateParser.Parse(path.TrimStart('/')), new RouteValueDictionary()))];

        public MemicRoute Route { get; } = route;

        /// <summary>
        /// The handlers read <see cref="HttpRequest.RouteValues"/>, which the Functions host's own routing does not
        /// necessarily fill in the worker, so they are taken from the path with the route's template. A function bound
        /// to a route it does not serve is a wiring bug, not a client error.
        /// </summary>
        public void BindRouteValues(HttpRequest request)
        {
            if (!HttpMethods.Equals(request.Method, Route.Method))
            {
                throw new InvalidOperationException($"Route {Route.Name} serves {Route.Method}, not {request.Method}.");
            }

            var values = new RouteValueDictionary();
            if (!_matchers.Any(m => m.TryMatch(request.Path, values)))
            {
                throw new InvalidOperationException($"Route {Route.Name} does not serve the path {request.Path}.");
            }

            foreach (var (name, value) in values)
            {
                request.RouteValues.TryAdd(name, value);
            }
        }
    }
}
