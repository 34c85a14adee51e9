using Memic.Core.Tenancy;
using Memic.Http.Contracts;
using Memic.Http.RateLimiting;
using Memic.Http.Routing;
using Microsoft.AspNetCore.Http;

namespace Memic.Http.Endpoints;

/// <summary>Data-plane routes about the caller itself (CONTRACT §2).</summary>
internal static class DataPlaneEndpoints
{
    public static IEnumerable<MemicRoute> Routes =>
    [
        new("GetMe", HttpMethods.Get, "/me", RouteAudience.DataPlane, RateLimitCategory.Status, GetMeAsync),
        new("ListProjects", HttpMethods.Get, "/projects", RouteAudience.DataPlane, RateLimitCategory.Lists, ListProjectsAsync),
    ];

    private static Task<IResult> GetMeAsync(MemicRequest request) =>
        Task.FromResult(Respond.Ok(MeResponse.From(request.Environment)));

    private static async Task<IResult> ListProjectsAsync(MemicRequest request)
    {
        var projects = await request.Service<TenancyService>().ListProjectsAsync(request.Environment.Organization.Id, request.Aborted);
        return Respond.Ok(projects.Select(ProjectResponse.From).ToArray());
    }
}
