using System.Net;
using System.Net.Http.Headers;
using System.Text;
using static Memic.Server.Tests.Wire;

namespace Memic.Server.Tests;

/// <summary>Bodies that break UTF-16 or the multipart grammar are the client's 4xx in the error envelope, never a 500.</summary>
public sealed class MalformedRequestTests : IClassFixture<MemicServerFactory>
{
    private const string Boundary = "memic-boundary";

    private readonly MemicServerFactory _server;

    public MalformedRequestTests(MemicServerFactory server) => _server = server;

    private async Task<HttpClient> DataClientAsync(string slug)
    {
        using var admin = _server.AdminClient();
        var (_, key) = await admin.CreateEnvironmentAsync(slug);
        return _server.DataClient(key);
    }

    private static ByteArrayContent Multipart(string body)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body.ReplaceLineEndings("\r\n")));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={Boundary}");
        return content;
    }

    [Theory]
    [InlineData("""{"query": "\ud800"}""", new[] { "body", "query" })]
    [InlineData("""{"query": "birds \udc00 and bees"}""", new[] { "body", "query" })]
    [InlineData("""{"query": "birds", "filters": {"metadata": {"team": "\ud83d"}}}""", new[] { "body", "filters", "metadata", "team" })]
    [InlineData("""{"query": "birds", "file_ids": ["\ud800"]}""", new[] { "body", "file_ids", "0" })]
    public async Task A_lone_surrogate_in_a_json_string_is_422_naming_the_field(string json, string[] location)
    {
        using var client = await DataClientAsync("utf16-" + Guid.NewGuid().ToString("N")[..12]);

        var detail = await (await client.PostAsync("/api/v1/search", Json(json), Ct)).ExpectErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");

        var item = Assert.Single(detail.EnumerateArray());
        Assert.Equal(location, item.GetProperty("loc").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("string_unicode", item.GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_lone_surrogate_in_an_object_key_is_422()
    {
        using var admin = _server.AdminClient();

        await (await admin.PostAsync("/api/admin/v1/environments", Json("""{"slug": "keyed", "\udfff": 1}"""), Ct))
            .ExpectErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
    }

    [Fact]
    public async Task A_surrogate_pair_is_valid_text()
    {
        using var admin = _server.AdminClient();

        var created = await (await admin.PostAsync("/api/admin/v1/environments", Json("""{"slug": "paired", "name": "Birds \ud83d\udc26"}"""), Ct))
            .ExpectAsync(HttpStatusCode.Created);

        Assert.Equal("Birds \U0001F426", created.GetProperty("environment").GetProperty("name").GetString());
    }

    [Fact]
    public async Task A_lone_surrogate_in_multipart_metadata_is_422()
    {
        using var client = await DataClientAsync("utf16-multipart");
        using var content = Multipart($$"""
            --{{Boundary}}
            Content-Disposition: form-data; name="metadata"

            {"team": "\ud800"}
            --{{Boundary}}
            Content-Disposition: form-data; name="file"; filename="a.txt"
            Content-Type: text/plain

            hello
            --{{Boundary}}--

            """);

        var detail = await (await client.PostAsync("/api/v1/files", content, Ct)).ExpectErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");

        var item = Assert.Single(detail.EnumerateArray());
        Assert.Equal(["body", "metadata", "team"], item.GetProperty("loc").EnumerateArray().Select(e => e.GetString()));
    }

    [Theory]
    [InlineData("truncated-in-part")]
    [InlineData("truncated-in-headers")]
    [InlineData("no-closing-boundary")]
    public async Task A_broken_or_truncated_multipart_body_is_400_bad_request(string shape)
    {
        using var client = await DataClientAsync("multipart-" + shape);
        var body = shape switch
        {
            "truncated-in-part" => $"--{Boundary}\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\nContent-Type: text/plain\n\nhello wor",
            "truncated-in-headers" => $"--{Boundary}\nContent-Disposition: form-data; na",
            _ => $"--{Boundary}\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\n\nhello\n--{Boundary}\n",
        };
        using var content = Multipart(body);

        await (await client.PostAsync("/api/v1/files", content, Ct)).ExpectErrorAsync(HttpStatusCode.BadRequest, "bad_request");
    }
}
