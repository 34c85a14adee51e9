using System.Text;
using System.Text.Json;
using Memic.Core.Chat;
using Memic.Core.Errors;
using Memic.Core.Files;
using Memic.Http.Contracts;
using Memic.Http.Requests;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Primitives;
using ChatRequest = Memic.Http.Contracts.ChatRequest;

namespace Memic.Http.Tests;

/// <summary>The request records and their one binder: the contract's 422 list, every field error at once.</summary>
public sealed class RequestBindingTests
{
    private static readonly IServiceProvider Services = new ServiceCollection()
        .AddOptions()
        .Configure<ChatModelOptions>(o => { o.MaxMessageCharacters = 10; o.MaxConversationCharacters = 15; })
        .BuildServiceProvider();

    private static async Task<JsonElement> ReadAsync(string json)
    {
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(json));
        return await JsonBodyReader.ReadObjectAsync(context.Request, TestContext.Current.CancellationToken);
    }

    private static async Task<IReadOnlyList<FieldError>> ErrorsAsync<T>(string json)
        where T : class
    {
        var root = await ReadAsync(json);
        return Assert.Throws<ValidationException>(() => BodyBinder.Bind<T>(root, Services)).Errors;
    }

    [Fact]
    public async Task Empty_body_reads_as_an_empty_object_so_required_fields_are_missing()
    {
        var errors = await ErrorsAsync<CreateFolderRequest>("");

        var error = Assert.Single(errors);
        Assert.Equal(["body", "name"], error.Location);
        Assert.Equal("missing", error.Type);
    }

    [Fact]
    public async Task Every_wrong_field_is_reported_at_once_with_its_location_and_type()
    {
        var errors = await ErrorsAsync<InitFileRequest>("""{"filename": 5, "size": 0, "folder_id": "nope", "metadata": [1], "mime_type": null}""");

        Assert.Equal(
            [("filename", "string_type"), ("size", "greater_than_equal"), ("metadata", "dict_type"), ("folder_id", "uuid_parsing")],
            errors.Select(e => (e.Location[1], e.Type)));
    }

    [Theory]
    [InlineData("""{"query": "q", "top_k": 0}""", "greater_than_equal")]
    [InlineData("""{"query": "q", "top_k": 51}""", "less_than_equal")]
    [InlineData("""{"query": "q", "top_k": 1.5}""", "int_type")]
    [InlineData("""{"query": "q", "top_k": "3"}""", "int_type")]
    public async Task Integers_are_typed_and_range_checked(string json, string type)
    {
        var error = Assert.Single(await ErrorsAsync<SearchRequest>(json));

        Assert.Equal(["body", "top_k"], error.Location);
        Assert.Equal(type, error.Type);
    }

    [Fact]
    public async Task Nested_objects_report_errors_at_their_nested_location()
    {
        var errors = await ErrorsAsync<SearchRequest>("""{"query": "q", "metadata_filters": {"page_range": {"gte": 0}, "reference_ids": [1]}, "filters": {"metadata": {"a": [1]}}}""");

        Assert.Equal(
            ["body.metadata_filters.reference_ids:string_type", "body.metadata_filters.page_range.gte:greater_than_equal", "body.filters.metadata:value_error"],
            errors.Select(e => $"{string.Join('.', e.Location)}:{e.Type}"));
    }

    [Fact]
    public async Task Absent_and_null_fields_take_the_records_defaults()
    {
        var id = Guid.NewGuid();
        var root = await ReadAsync($$$"""{"query": "q", "project_id": null, "file_ids": ["{{{id}}}"], "force_route": "hybrid", "metadata_filters": {"page_number": 3, "page_numbers": [1, 3]}}""");

        var request = BodyBinder.Bind<SearchRequest>(root, Services).ToSearch();

        Assert.Equal(10, request.TopK);
        Assert.Equal(0.7, request.MinScore);
        Assert.True(request.IncludeMetadata);
        Assert.Equal([id], request.Filter.FileIds!);
        Assert.Equal([1, 3], request.Filter.PageNumbers!);
        Assert.Equal(Memic.Core.Search.SearchRoute.Hybrid, request.ForceRoute);
    }

    [Fact]
    public async Task Chat_needs_a_question_or_messages_and_checks_each_message_by_index()
    {
        var missing = Assert.Single(await ErrorsAsync<ChatRequest>("{}"));
        var messages = await ErrorsAsync<ChatRequest>("""{"messages": [{"role": "robot", "content": "hi"}, {"role": "user"}, {"role": "user", "content": "01234567890"}], "top_k": 21}""");

        Assert.Equal(["body", "question"], missing.Location);
        Assert.Equal(
            ["body.messages.0.role:enum", "body.messages.1.content:missing", "body.top_k:less_than_equal", "body.messages.2.content:string_too_long"],
            messages.Select(e => $"{string.Join('.', e.Location)}:{e.Type}"));
    }

    [Fact]
    public async Task Chat_takes_the_last_user_message_as_the_question_and_the_turns_before_it_as_history()
    {
        var root = await ReadAsync("""{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}, {"role": "user", "content": "c"}]}""");

        var chat = BodyBinder.Bind<ChatRequest>(root, Services).ToChat();

        Assert.Equal("c", chat.Question);
        Assert.Equal(5, chat.Search.TopK);
        Assert.Equal([ConversationRole.User, ConversationRole.Assistant], chat.History.Select(t => t.Role));
    }

    [Fact]
    public async Task Chat_without_a_user_message_or_over_the_conversation_budget_is_refused()
    {
        var noUser = Assert.Single(await ErrorsAsync<ChatRequest>("""{"messages": [{"role": "assistant", "content": "b"}]}"""));
        var tooLong = Assert.Single(await ErrorsAsync<ChatRequest>("""{"messages": [{"role": "user", "content": "0123456789"}, {"role": "user", "content": "0123456789"}]}"""));

        Assert.Equal("value_error", noUser.Type);
        Assert.Equal(("messages", "too_long"), (tooLong.Location[1], tooLong.Type));
    }

    [Fact]
    public void Query_records_bind_wire_names_defaults_and_report_every_bad_value()
    {
        var good = QueryBinder.Bind<ListFilesQuery>(new QueryCollection(new Dictionary<string, StringValues> { ["page_size"] = "5", ["status"] = "embedding_started" }));
        var bad = Assert.Throws<ValidationException>(() => QueryBinder.Bind<ListFilesQuery>(new QueryCollection(new Dictionary<string, StringValues>
        {
            ["page"] = "x", ["page_size"] = "101", ["status"] = "nope", ["folder_id"] = "1",
        })));

        Assert.Equal((1, 5, FileStatus.EmbeddingStarted), (good.Page, good.PageSize, good.Status));
        Assert.Equal(
            ["page:int_parsing", "page_size:less_than_equal", "status:enum", "folder_id:uuid_parsing"],
            bad.Errors.Select(e => $"{e.Location[1]}:{e.Type}"));
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
        var error = await Assert.ThrowsAsync<MemicException>(() => ReadAsync("{\"a\":\"" + new string('x', JsonBodyReader.MaxBytes) + "\"}"));

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
