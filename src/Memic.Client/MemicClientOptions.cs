namespace Memic.Client;

/// <summary>
/// Where the Memic API is and how to authenticate. <see cref="FromEnvironment"/> reads the same variables as the
/// Python SDK (<c>MEMIC_API_KEY</c>, <c>MEMIC_BASE_URL</c>) plus <c>MEMIC_ADMIN_KEY</c> and <c>MEMIC_ADMIN_URL</c>.
/// </summary>
public sealed class MemicClientOptions
{
    /// <summary>The local server's default address, used when neither <see cref="BaseUrl"/> nor <c>MEMIC_BASE_URL</c> is set.</summary>
    public static readonly Uri DefaultBaseUrl = new("http://127.0.0.1:8000");

    /// <summary>The environment API key (<c>mk_live_…</c>) sent as <c>X-API-Key</c> on every data-plane request.</summary>
    public string? ApiKey { get; set; }

    /// <summary>The server's address, e.g. <c>http://127.0.0.1:8000</c>; a path ending in <c>/api/v1</c> or <c>/api/v1/sdk</c> is kept as is.</summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>The admin key sent as <c>X-Admin-Key</c> by <see cref="MemicAdminClient"/>.</summary>
    public string? AdminKey { get; set; }

    /// <summary>The admin API's root; when unset it is <see cref="BaseUrl"/>'s host with the path <c>/api/admin/v1</c>.</summary>
    public Uri? AdminUrl { get; set; }

    /// <summary>How many times a request answered 429 or 503 is sent again, each after the server's <c>Retry-After</c>.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>The longest one request (other than an upload's bytes) may take.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>Clock used between status polls; tests can pass a fake one.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Options filled from <c>MEMIC_API_KEY</c>, <c>MEMIC_BASE_URL</c>, <c>MEMIC_ADMIN_KEY</c> and <c>MEMIC_ADMIN_URL</c>.</summary>
    public static MemicClientOptions FromEnvironment() => FromVariables(Environment.GetEnvironmentVariable);

    /// <summary>Options filled from the given variable lookup (the same names as <see cref="FromEnvironment"/>).</summary>
    public static MemicClientOptions FromVariables(Func<string, string?> variable)
    {
        ArgumentNullException.ThrowIfNull(variable);
        return new MemicClientOptions
        {
            ApiKey = NonEmpty(variable("MEMIC_API_KEY")),
            BaseUrl = NonEmpty(variable("MEMIC_BASE_URL")) is { } baseUrl ? ParseUrl(baseUrl, "MEMIC_BASE_URL") : null,
            AdminKey = NonEmpty(variable("MEMIC_ADMIN_KEY")),
            AdminUrl = NonEmpty(variable("MEMIC_ADMIN_URL")) is { } adminUrl ? ParseUrl(adminUrl, "MEMIC_ADMIN_URL") : null,
        };
    }

    /// <summary>The data plane's root, always ending in <c>/</c>: <c>{base}/api/v1/sdk/</c> unless the base already names a surface.</summary>
    public Uri ResolveDataPlaneRoot()
    {
        var baseUrl = BaseUrl ?? DefaultBaseUrl;
        var path = baseUrl.AbsolutePath.TrimEnd('/');
        var root = path.EndsWith("/api/v1", StringComparison.Ordinal) || path.EndsWith("/api/v1/sdk", StringComparison.Ordinal)
            ? path
            : path + "/api/v1/sdk";
        return new UriBuilder(baseUrl) { Path = root + "/", Query = string.Empty }.Uri;
    }

    /// <summary>The admin API's root, always ending in <c>/</c>: <see cref="AdminUrl"/>, else the base URL's host + <c>/api/admin/v1/</c>.</summary>
    public Uri ResolveAdminRoot()
    {
        if (AdminUrl is { } adminUrl)
        {
            return new UriBuilder(adminUrl) { Path = adminUrl.AbsolutePath.TrimEnd('/') + "/", Query = string.Empty }.Uri;
        }

        var baseUrl = BaseUrl ?? DefaultBaseUrl;
        return new UriBuilder(baseUrl.Scheme, baseUrl.Host, baseUrl.Port, "/api/admin/v1/").Uri;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static Uri ParseUrl(string value, string name) =>
        Uri.TryCreate(value, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)
            ? url
            : throw new ArgumentException($"{name} must be an absolute http(s) URL, got '{value}'.", nameof(value));
}
