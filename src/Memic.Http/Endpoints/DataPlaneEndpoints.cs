using Memic.Core.Tenancy;
using Memic.Http.Contracts;
using Memic.Http.RateLimiting;
using Memic.Http.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Memic.Http.Endpoints;

/// <summary>Data-plane routes about the caller itself (CONTRACT §2).</summary>
internal static class DataPlaneEndpoints
{
    public static IEnumerable<MemicRoute> Routes =>
    [
        new("GetMe", HttpMethods.Get, "/me", RouteAudience.DataPlane, RateLimitCategory.Status, GetMeAsync),
        new("ListProjects", HttpMethods.Get, "/projects", RouteAudience.DataPlane, RateLimitCategory.Lists, ListProjectsAsync),
    ];

    private static Task<Ok<MeResponse>> GetMeAsync(EnvironmentCaller caller) =>
        Task.FromResult(TypedResults.Ok(MeResponse.From(caller.Context)));

    private static async Task<Ok<ProjectResponse[]>> ListProjectsAsync(EnvironmentCaller caller, TenancyService tenancy, CancellationToken cancellationToken)
    {
        var projects = await tenancy.ListProjectsAsync(caller.Context.Organization.Id, cancellationToken);
        return TypedResults.Ok(projects.Select(ProjectResponse.From).ToArray());
    }
}
