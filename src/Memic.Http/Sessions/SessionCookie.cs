using Memic.Core.Users;
using Microsoft.AspNetCore.Http;

namespace Memic.Http.Sessions;

/// <summary>The dashboard session's cookie and headers (docs/dashboard-auth.md).</summary>
public static class SessionCookie
{
    public const string Name = "memic_session";

    /// <summary>Carries the session's antiforgery token on every cookie-authenticated request that is not GET or HEAD.</summary>
    public const string AntiforgeryHeader = "X-XSRF-TOKEN";

    /// <summary>Names the environment a cookie-authenticated data-plane request is for.</summary>
    public const string EnvironmentHeader = "X-Memic-Environment-Id";

    public static string? Read(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Cookies.TryGetValue(Name, out var token) && !string.IsNullOrEmpty(token) ? token : null;
    }

    public static void Write(HttpContext context, string token, UserSession session)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(session);
        context.Response.Cookies.Append(Name, token, Options(context.Request, session.ExpiresAt));
    }

    public static void Clear(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.Cookies.Delete(Name, Options(context.Request, expires: null));
    }

    public static bool IsSafeMethod(string method) => HttpMethods.IsGet(method) || HttpMethods.IsHead(method);

    /// <summary>Secure whenever the browser reached us over https, also through a TLS-terminating front end.</summary>
    private static CookieOptions Options(HttpRequest request, DateTimeOffset? expires) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Path = "/",
        Secure = request.IsHttps || string.Equals(request.Headers["X-Forwarded-Proto"].ToString(), "https", StringComparison.OrdinalIgnoreCase),
        Expires = expires,
        IsEssential = true,
    };
}
