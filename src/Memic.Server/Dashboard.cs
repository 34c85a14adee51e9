using Memic.Http.Dashboard;

namespace Memic.Server;

/// <summary>The dashboard at <c>/</c> (CONTRACT §15): the page and its bundled assets, embedded in Memic.Http.</summary>
internal static class Dashboard
{
    private static readonly string[] Reads = [HttpMethods.Get, HttpMethods.Head];

    public static IEndpointRouteBuilder MapMemicDashboard(this IEndpointRouteBuilder endpoints)
    {
        // Not part of the API: kept out of the OpenAPI document.
        endpoints.MapMethods("/", Reads, (HttpContext context, DashboardFiles files) => files.Index(context)).ExcludeFromDescription();
        endpoints.MapMethods("/index.html", Reads, (HttpContext context, DashboardFiles files) => files.Index(context)).ExcludeFromDescription();
        endpoints.MapMethods("/" + DashboardFiles.AssetsPrefix + "{*path}", Reads, (HttpContext context, DashboardFiles files, string path) =>
            files.File(context, DashboardFiles.AssetsPrefix + path)).ExcludeFromDescription();
        return endpoints;
    }
}
