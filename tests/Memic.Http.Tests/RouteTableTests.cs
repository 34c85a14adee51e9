using Memic.Http.Routing;

namespace Memic.Http.Tests;

public sealed class RouteTableTests
{
    [Fact]
    public void Every_data_plane_route_is_served_under_docs_and_sdk_prefixes()
    {
        var dataPlane = MemicRouteTable.All.Where(r => r.Audience == RouteAudience.DataPlane).ToList();

        Assert.NotEmpty(dataPlane);
        Assert.All(dataPlane, route => Assert.Equal(["/api/v1" + route.Pattern, "/api/v1/sdk" + route.Pattern], route.Paths));
    }

    [Fact]
    public void Every_data_plane_route_has_a_rate_limit_category_and_admin_routes_live_under_the_admin_prefix()
    {
        Assert.All(MemicRouteTable.All.Where(r => r.Audience == RouteAudience.DataPlane), route => Assert.NotNull(route.RateLimit));
        Assert.All(MemicRouteTable.All.Where(r => r.Audience == RouteAudience.Admin), route => Assert.StartsWith("/api/admin/v1/", route.Paths.Single(), StringComparison.Ordinal));
    }

    [Fact]
    public void Route_names_and_method_path_pairs_are_unique()
    {
        Assert.Equal(MemicRouteTable.All.Count, MemicRouteTable.All.Select(r => r.Name).Distinct().Count());
        var pairs = MemicRouteTable.All.SelectMany(r => r.Paths.Select(p => $"{r.Method} {p}")).ToList();
        Assert.Equal(pairs.Count, pairs.Distinct().Count());
    }

    [Fact]
    public void Every_handler_declares_only_what_the_invoker_can_bind_and_returns_a_typed_result()
    {
        Assert.All(MemicRouteTable.All, route => RouteHandlerInvoker.For(route));
    }
}
