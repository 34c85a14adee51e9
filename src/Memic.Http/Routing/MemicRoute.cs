using Memic.Http.RateLimiting;
using Microsoft.AspNetCore.Http;

namespace Memic.Http.Routing;

/// <summary>Who may call a route: anyone, an environment key (X-API-Key) or the admin key (X-Admin-Key).</summary>
public enum RouteAudience
{
    Public,
    DataPlane,
    Admin,
}

public delegate Task<IResult> MemicHandler(MemicRequest request);

/// <summary>
/// One route of the shared route table. Both hosts serve exactly these; a data-plane route is served under
/// <c>/api/v1</c> (the docs) and <c>/api/v1/sdk</c> (the SDK) alike (CONTRACT §2).
/// </summary>
public sealed record MemicRoute(
    string Name,
    string Method,
    string Pattern,
    RouteAudience Audience,
    RateLimitCategory? RateLimit,
    MemicHandler Handler)
{
    public const string DocsPrefix = "/api/v1";
    public const string SdkPrefix = "/api/v1/sdk";
    public const string AdminPrefix = "/api/admin/v1";

    /// <summary>Every full path this route answers on.</summary>
    public IReadOnlyList<string> Paths => Audience switch
    {
        RouteAudience.DataPlane => [DocsPrefix + Pattern, SdkPrefix + Pattern],
        RouteAudience.Admin => [AdminPrefix + Pattern],
        _ => [Pattern],
    };

    public override string ToString() => $"{Method} {string.Join(" | ", Paths)}";
}
