using Memic.Http.Dashboard;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Memic.Functions.Http;

/// <summary>
/// The dashboard at <c>/</c> (CONTRACT §15), served by the Functions app itself from the files embedded in Memic.Http,
/// so the page and the API share one origin and the session cookie needs no cross-site rules (docs/dashboard.md).
/// </summary>
public sealed class DashboardFunctions(DashboardFiles files)
{
    /// <summary>
    /// The catch-all the Functions host tries after every literal route: <c>/</c> (or <c>/index.html</c>) is the page,
    /// <c>/assets/…</c> its files, anything else the envelope's 404, as an unknown route would be without it.
    /// </summary>
    [Function("DashboardFiles")]
    public IResult Files([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "{*path}")] HttpRequest request, string? path)
    {
        ArgumentNullException.ThrowIfNull(request);
        return files.File(request.HttpContext, path);
    }
}
