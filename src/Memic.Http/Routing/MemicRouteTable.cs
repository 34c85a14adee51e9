using Memic.Http.Endpoints;

namespace Memic.Http.Routing;

/// <summary>Every route Memic serves, in one list that both hosts map.</summary>
public static class MemicRouteTable
{
    public static IReadOnlyList<MemicRoute> All { get; } =
    [
        .. HealthEndpoints.Routes,
        .. DataPlaneEndpoints.Routes,
        .. FileEndpoints.Routes,
        .. SearchEndpoints.Routes,
        .. ChatEndpoints.Routes,
        .. PromptEndpoints.Routes,
        .. ConnectorEndpoints.Routes,
        .. AdminEndpoints.Routes,
        .. UserEndpoints.Routes,
        .. AuthEndpoints.Routes,
        .. OpenApiEndpoints.Routes,
    ];
}
