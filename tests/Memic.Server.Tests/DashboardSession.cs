using System.Net;
using System.Net.Http.Json;
using static Memic.Server.Tests.Wire;

namespace Memic.Server.Tests;

/// <summary>A browser's view of the dashboard API: a client that keeps the session cookie, and the session's antiforgery token.</summary>
internal sealed class DashboardSession(HttpClient client, string antiforgeryToken) : IDisposable
{
    public HttpClient Client { get; } = client;

    public string AntiforgeryToken { get; } = antiforgeryToken;

    public static async Task<HttpResponseMessage> PostLoginAsync(HttpClient client, string email, string password) =>
        await client.PostAsJsonAsync("/api/auth/v1/login", new { email, password }, Ct);

    public static async Task<DashboardSession> SignInAsync(MemicServerFactory server, string email, string password)
    {
        var client = server.CreateClient();
        var body = await (await PostLoginAsync(client, email, password)).ExpectAsync(HttpStatusCode.OK);
        return new DashboardSession(client, body.GetProperty("antiforgery_token").GetString()!);
    }

    /// <summary>A write as the dashboard sends it: the antiforgery header, and the environment for data-plane routes.</summary>
    public HttpRequestMessage Write(HttpMethod method, string path, object? json = null, Guid? environmentId = null, string? antiforgery = "")
    {
        var request = new HttpRequestMessage(method, path) { Content = json is null ? null : JsonContent.Create(json) };
        if (antiforgery is not null)
        {
            request.Headers.Add("X-XSRF-TOKEN", antiforgery.Length == 0 ? AntiforgeryToken : antiforgery);
        }

        if (environmentId is { } id)
        {
            request.Headers.Add("X-Memic-Environment-Id", id.ToString());
        }

        return request;
    }

    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request) => Client.SendAsync(request, Ct);

    public Task<HttpResponseMessage> GetAsync(string path, Guid? environmentId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (environmentId is { } id)
        {
            request.Headers.Add("X-Memic-Environment-Id", id.ToString());
        }

        return Client.SendAsync(request, Ct);
    }

    public void Dispose() => Client.Dispose();
}
