using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Memic.Server.Tests;

/// <summary>Small helpers for speaking the wire contract from tests.</summary>
internal static class Wire
{
    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    public static async Task<JsonElement> ExpectAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == status, $"Expected {(int)status}, got {(int)response.StatusCode}: {text}");
        if (text.Length == 0)
        {
            return default;
        }

        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    /// <summary>Asserts the exact error envelope of CONTRACT §11 and returns its detail.</summary>
    public static async Task<JsonElement> ExpectErrorAsync(this HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var body = await response.ExpectAsync(status);
        Assert.Equal(["code", "detail", "request_id"], body.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(code, body.GetProperty("code").GetString());
        var requestId = body.GetProperty("request_id").GetString();
        Assert.False(string.IsNullOrEmpty(requestId));
        Assert.Equal(requestId, response.Headers.GetValues("X-Request-Id").Single());
        var raw = body.GetRawText();
        Assert.DoesNotContain("Exception", raw, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", raw, StringComparison.Ordinal);
        return body.GetProperty("detail");
    }

    public static async Task<(Guid EnvironmentId, string ApiKey)> CreateEnvironmentAsync(this HttpClient admin, string slug)
    {
        var response = await admin.PostAsJsonAsync("/api/admin/v1/environments", new { slug }, Ct);
        var body = await response.ExpectAsync(HttpStatusCode.Created);
        return (body.GetProperty("environment").GetProperty("id").GetGuid(), body.GetProperty("api_key").GetString()!);
    }
}
