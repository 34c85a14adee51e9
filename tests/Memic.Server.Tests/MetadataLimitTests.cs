using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Memic.Core.Search;
using static Memic.Server.Tests.Wire;

namespace Memic.Server.Tests;

/// <summary>
/// Both upload paths refuse, before any bytes move, metadata the search index would refuse at indexing time
/// (a <c>key=value</c> term over 32,766 UTF-8 bytes), naming the key; one byte less is accepted.
/// </summary>
public sealed class MetadataLimitTests : IClassFixture<MemicServerFactory>
{
    private readonly MemicServerFactory _server;

    public MetadataLimitTests(MemicServerFactory server) => _server = server;

    private async Task<HttpClient> NewClientAsync(string slug)
    {
        using var admin = _server.AdminClient();
        var (_, key) = await admin.CreateEnvironmentAsync(slug);
        return _server.DataClient(key);
    }

    /// <summary>A value whose term <c>note=value</c> is <paramref name="termBytes"/> UTF-8 bytes, in two-byte characters where it can.</summary>
    private static string ValueForTerm(int termBytes)
    {
        var valueBytes = termBytes - "note=".Length;
        return new string('é', valueBytes / 2) + new string('a', valueBytes % 2);
    }

    [Fact]
    public async Task Init_accepts_a_term_of_exactly_the_limit_and_refuses_one_byte_more_naming_the_key()
    {
        using var client = await NewClientAsync("meta-init");

        var accepted = await client.PostAsJsonAsync("/api/v1/files/init",
            new { filename = "a.txt", size = 10, mime_type = "text/plain", metadata = new Dictionary<string, string> { ["note"] = ValueForTerm(MetadataTerms.MaxTermBytes) } }, Ct);
        var refused = await client.PostAsJsonAsync("/api/v1/files/init",
            new { filename = "b.txt", size = 10, mime_type = "text/plain", metadata = new Dictionary<string, string> { ["note"] = ValueForTerm(MetadataTerms.MaxTermBytes + 1) } }, Ct);

        await accepted.ExpectAsync(HttpStatusCode.Created);
        var detail = await refused.ExpectErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
        var item = Assert.Single(detail.EnumerateArray());
        Assert.Equal(["body", "metadata", "note"], item.GetProperty("loc").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Multipart_upload_refuses_a_term_one_byte_over_the_limit_naming_the_key()
    {
        using var client = await NewClientAsync("meta-multipart");
        var metadata = JsonSerializer.Serialize(new Dictionary<string, string> { ["note"] = ValueForTerm(MetadataTerms.MaxTermBytes + 1) });
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent("Some words."u8.ToArray()), "file", "c.txt" },
            { new StringContent(metadata), "metadata" },
        };

        var refused = await client.PostAsync("/api/v1/files", form, Ct);

        var detail = await refused.ExpectErrorAsync(HttpStatusCode.UnprocessableEntity, "validation_error");
        var item = Assert.Single(detail.EnumerateArray());
        Assert.Equal(["body", "metadata", "note"], item.GetProperty("loc").EnumerateArray().Select(e => e.GetString()));
        var list = await (await client.GetAsync("/api/v1/files", Ct)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(0, list.GetProperty("total").GetInt32());
    }
}
