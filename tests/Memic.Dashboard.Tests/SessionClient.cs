using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Memic.Dashboard.Tests;

/// <summary>The API as the dashboard calls it: the session cookie, and the antiforgery token as X-XSRF-TOKEN on writes.</summary>
internal sealed class SessionClient : IDisposable
{
    private readonly HttpClient _client;

    private SessionClient(HttpClient client) => _client = client;

    public static async Task<SessionClient> SignInAsync(Uri baseAddress, string email, string password, CancellationToken cancellationToken)
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = baseAddress };
        var response = await client.PostAsJsonAsync("/api/auth/v1/login", new { email, password }, cancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var token = (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("antiforgery_token").GetString();
        client.DefaultRequestHeaders.Add("X-XSRF-TOKEN", token);
        return new SessionClient(client);
    }

    public Task<HttpResponseMessage> PostAsync(string path, object body, CancellationToken cancellationToken) =>
        _client.PostAsJsonAsync(path, body, cancellationToken);

    public void Dispose() => _client.Dispose();
}
