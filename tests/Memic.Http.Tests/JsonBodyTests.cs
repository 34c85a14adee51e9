using System.Text;
using Memic.Core.Errors;
using Memic.Http.Requests;
using Microsoft.AspNetCore.Http;

namespace Memic.Http.Tests;

public sealed class JsonBodyTests
{
    private static Task<JsonBody> ReadAsync(string json)
    {
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(json));
        return JsonBody.ReadAsync(context.Request, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Empty_body_reads_as_an_empty_object_so_required_fields_are_missing()
    {
        var body = await ReadAsync("");

        Assert.Null(body.ReadString("name", required: true));
        var error = Assert.Single(Assert.Throws<ValidationException>(body.ThrowIfInvalid).Errors);
        Assert.Equal(["body", "name"], error.Location);
        Assert.Equal("missing", error.Type);
    }

    [Fact]
    public async Task Null_counts_as_absent_for_optional_fields()
    {
        var body = await ReadAsync("""{"project_id": null, "name": null}""");

        Assert.Null(body.ReadUuid("project_id"));
        Assert.Null(body.ReadString("name"));
        body.ThrowIfInvalid();
    }

    [Theory]
    [InlineData("""{"n": 0}""", "greater_than_equal")]
    [InlineData("""{"n": 101}""", "less_than_equal")]
    [InlineData("""{"n": 1.5}""", "int_type")]
    [InlineData("""{"n": "3"}""", "int_type")]
    public async Task Integers_are_typed_and_range_checked(string json, string type)
    {
        var body = await ReadAsync(json);

        body.ReadInt("n", 1, 100);

        Assert.Equal(type, Assert.Single(Assert.Throws<ValidationException>(body.ThrowIfInvalid).Errors).Type);
    }

    [Fact]
    public async Task Valid_values_are_returned()
    {
        var id = Guid.NewGuid();
        var body = await ReadAsync($$"""{"s": "x", "u": "{{id}}", "n": 7, "b": false}""");

        Assert.Equal("x", body.ReadString("s", required: true, minLength: 1, maxLength: 5));
        Assert.Equal(id, body.ReadUuid("u"));
        Assert.Equal(7, body.ReadInt("n", 1, 10));
        Assert.False(body.ReadBool("b"));
        body.ThrowIfInvalid();
    }

    [Fact]
    public async Task Malformed_json_is_a_bad_request()
    {
        var error = await Assert.ThrowsAsync<BadRequestException>(() => ReadAsync("{\"a\":"));

        Assert.Equal("bad_request", error.Code);
    }

    [Fact]
    public async Task Body_over_the_limit_is_refused_before_parsing()
    {
        var error = await Assert.ThrowsAsync<MemicException>(() => ReadAsync("{\"a\":\"" + new string('x', JsonBody.MaxBytes) + "\"}"));

        Assert.Equal(ErrorKind.PayloadTooLarge, error.Kind);
    }

    [Fact]
    public async Task Deeply_nested_json_is_a_bad_request_not_a_crash()
    {
        var json = new string('[', 1000) + new string(']', 1000);

        await Assert.ThrowsAsync<BadRequestException>(() => ReadAsync("{\"a\":" + json + "}"));
    }

    [Fact]
    public async Task A_lone_surrogate_anywhere_in_the_body_is_a_422_at_its_location()
    {
        var error = await Assert.ThrowsAsync<ValidationException>(() => ReadAsync("""{"ok": "\ud83d\udc26", "messages": [{"content": "hi \ud800"}]}"""));

        var item = Assert.Single(error.Errors);
        Assert.Equal(["body", "messages", "0", "content"], item.Location);
        Assert.Equal("string_unicode", item.Type);
    }
}
