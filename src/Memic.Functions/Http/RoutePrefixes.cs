using Memic.Http.Routing;

namespace Memic.Functions.Http;

/// <summary>
/// The prefixes of <see cref="MemicRoute.Paths"/> as function routes (host.json sets no route prefix, so a function's
/// route is the request path without its leading slash). Attributes need constants, hence the copies; the route-parity
/// test holds them equal to the route table's.
/// </summary>
public static class RoutePrefixes
{
    public const string Docs = "api/v1/";
    public const string Sdk = "api/v1/sdk/";
    public const string Admin = "api/admin/v1/";
    public const string Auth = "api/auth/v1/";
}
