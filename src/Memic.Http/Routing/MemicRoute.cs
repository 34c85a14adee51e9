using Memic.Http.RateLimiting;

namespace Memic.Http.Routing;

/// <summary>
/// Who may call a route: anyone, an environment key (X-API-Key), the admin key (X-Admin-Key), or a signed-in user's
/// session cookie (the sign-in routes). The data plane and the admin API also take the session cookie (docs/dashboard-auth.md).
/// </summary>
public enum RouteAudience
{
    Public,
    DataPlane,
    Admin,
    Session,
}

/// <summary>
/// One route of the shared route table. Both hosts serve exactly these; a data-plane route is served under
/// <c>/api/v1</c> (the docs) and <c>/api/v1/sdk</c> (the SDK) alike (CONTRACT §2). The handler is a typed delegate:
/// its parameters say what it takes (a <c>[FromBody]</c> record, an <c>[AsParameters]</c> query record,
/// <c>[FromRoute]</c> ids, the caller, services, the <see cref="CancellationToken"/>), its return type what it answers.
/// </summary>
public sealed record MemicRoute(
    string Name,
    string Method,
    string Pattern,
    RouteAudience Audience,
    RateLimitCategory? RateLimit,
    Delegate Handler)
{
    public const string DocsPrefix = "/api/v1";
    public const string SdkPrefix = "/api/v1/sdk";
    public const string AdminPrefix = "/api/admin/v1";
    public const string AuthPrefix = "/api/auth/v1";

    /// <summary>What the OpenAPI document cannot see in the handler's signature (a multipart or raw body).</summary>
    public IReadOnlyList<object> Metadata { get; init; } = [];

    /// <summary>Every full path this route answers on.</summary>
    public IReadOnlyList<string> Paths => Audience switch
    {
        RouteAudience.DataPlane => [DocsPrefix + Pattern, SdkPrefix + Pattern],
        RouteAudience.Admin => [AdminPrefix + Pattern],
        RouteAudience.Session => [AuthPrefix + Pattern],
        _ => [Pattern],
    };

    public override string ToString() => $"{Method} {string.Join(" | ", Paths)}";
}
