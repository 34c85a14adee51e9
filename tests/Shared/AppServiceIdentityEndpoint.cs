using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Memic.Tests;

/// <summary>
/// A loopback stand-in for App Service's managed-identity endpoint (what <c>IDENTITY_ENDPOINT</c> and
/// <c>IDENTITY_HEADER</c> point at in Azure): <c>GET ?api-version=2019-08-01&amp;resource=…[&amp;client_id=…]</c> with the
/// <c>X-IDENTITY-HEADER</c> secret, answered with a JWT-shaped token whose <c>aud</c> is the requested resource and
/// whose <c>iss</c>, <c>nbf</c>, <c>iat</c> and <c>exp</c> pass Azurite's <c>--oauth basic</c> checks (it verifies no
/// signature). Every request is recorded, so tests can say which identity each one asked for.
/// </summary>
internal sealed class AppServiceIdentityEndpoint : IAsyncDisposable
{
    private const string Tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47";

    private readonly HttpListener _listener = new();
    private readonly Task _serving;
    private readonly ConcurrentQueue<TokenRequest> _requests = new();

    public AppServiceIdentityEndpoint()
    {
        // HttpListener cannot listen on port 0: take a free port from the system, then listen on it.
        var port = FreePort();
        Endpoint = new Uri($"http://127.0.0.1:{port}/msi/token");
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/msi/");
        _listener.Start();
        _serving = ServeAsync();
    }

    /// <summary>For <c>IDENTITY_ENDPOINT</c>.</summary>
    public Uri Endpoint { get; }

    /// <summary>For <c>IDENTITY_HEADER</c>: requests without it are refused, as the platform refuses them.</summary>
    public string Secret { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    public IReadOnlyList<TokenRequest> Requests => [.. _requests];

    /// <summary>The environment a process needs to reach this endpoint the way App Service and Functions hosts do.</summary>
    public Dictionary<string, string> Environment() => new()
    {
        ["IDENTITY_ENDPOINT"] = Endpoint.ToString(),
        ["IDENTITY_HEADER"] = Secret,
    };

    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            Answer(context);
        }
    }

    private void Answer(HttpListenerContext context)
    {
        var query = context.Request.QueryString;
        var request = new TokenRequest(
            query["api-version"], query["resource"], query["client_id"], context.Request.Headers["X-IDENTITY-HEADER"] == Secret);
        _requests.Enqueue(request);
        using var response = context.Response;
        if (!request.HasSecret || request.Resource is null)
        {
            response.StatusCode = 400;
            return;
        }

        var now = DateTimeOffset.UtcNow;
        var expires = now.AddHours(1);
        var token = Jwt(new
        {
            aud = request.Resource,
            iss = $"https://sts.windows.net/{Tenant}/",
            iat = now.AddMinutes(-5).ToUnixTimeSeconds(),
            nbf = now.AddMinutes(-5).ToUnixTimeSeconds(),
            exp = expires.ToUnixTimeSeconds(),
            appid = request.ClientId ?? "system-assigned",
            tid = Tenant,
        });
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>
        {
            ["access_token"] = token,
            ["expires_on"] = expires.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["resource"] = request.Resource,
            ["token_type"] = "Bearer",
            ["client_id"] = request.ClientId ?? "system-assigned",
        });
        response.ContentType = "application/json";
        response.OutputStream.Write(body);
    }

    private static string Jwt(object claims) =>
        $"{Base64Url(JsonSerializer.SerializeToUtf8Bytes(new { alg = "RS256", typ = "JWT" }))}.{Base64Url(JsonSerializer.SerializeToUtf8Bytes(claims))}." +
        Base64Url(Encoding.ASCII.GetBytes("not-signed"));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _serving;
    }

    /// <summary>One token request as the platform would see it.</summary>
    public sealed record TokenRequest(string? ApiVersion, string? Resource, string? ClientId, bool HasSecret);
}
