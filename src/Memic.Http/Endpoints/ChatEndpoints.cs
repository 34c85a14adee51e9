using System.Globalization;
using System.Text.Json;
using Memic.Core.Chat;
using Memic.Core.Errors;
using Memic.Core.Search;
using Memic.Http.Contracts;
using Memic.Http.RateLimiting;
using Memic.Http.Requests;
using Memic.Http.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Memic.Http.Endpoints;

/// <summary><c>POST /chat</c> (CONTRACT §7): search's fields with <c>question</c>, or a conversation in <c>messages</c>.</summary>
internal static class ChatEndpoints
{
    private const int MaxTopK = 20;
    private const int DefaultTopK = 5;
    private const int MaxQuestionLength = 1000;
    private const int MaxMessages = 100;

    private static readonly Dictionary<string, ConversationRole> RoleNames = MemicJson.EnumValuesByWireName<ConversationRole>();

    public static IEnumerable<MemicRoute> Routes =>
    [
        new("Chat", HttpMethods.Post, "/chat", RouteAudience.DataPlane, RateLimitCategory.Chat, ChatAsync),
    ];

    private static async Task<IResult> ChatAsync(MemicRequest request)
    {
        var body = await request.BodyAsync();
        var chat = ReadChatRequest(body, request);
        var environment = request.Environment;
        var answer = await request.Service<ChatService>().AnswerAsync(environment.Environment.Id, chat, request.Aborted);
        var items = answer.Retrieval.Hits.Select(h => SearchResultItem.From(h, environment.Project.Id, chat.Search.IncludeMetadata)).ToList();
        return Respond.Ok(new ChatAnswerResponse(
            answer.Question, answer.Answer, answer.Model, [.. answer.Citations.Select(ChatCitationItem.From)],
            RoutingResponse.From(answer.Retrieval.Routing), new SearchResults(items, null)));
    }

    /// <summary>
    /// The question is <c>question</c> when given, else the last <c>user</c> message; the turns before it are the history.
    /// Search's own fields (limits, filters, routing, environment_slug) are read by search's reader, with chat's top_k bounds.
    /// </summary>
    private static ChatRequest ReadChatRequest(JsonBody body, MemicRequest request)
    {
        var root = body.Root;
        var errors = new List<FieldError>();
        var hasQuestion = Has(root, "question", out _);
        var hasMessages = Has(root, "messages", out var messages);
        var limits = request.Service<IOptions<ChatModelOptions>>().Value;
        var turns = hasMessages ? ReadMessages(messages, limits, errors) : null;

        IReadOnlyList<ConversationTurn> history = [];
        string? asked = null;
        if (turns is not null && errors.Count == 0)
        {
            var complete = turns.Select(t => t!).ToList();
            var last = complete.FindLastIndex(t => t.Role == ConversationRole.User);
            if (hasQuestion)
            {
                history = complete;
            }
            else if (last < 0)
            {
                errors.Add(new FieldError(["body", "messages"], "Input should contain a user message: the last one is the question.", "value_error"));
            }
            else
            {
                asked = complete[last].Content;
                CheckQuestionLength(asked, last, errors);
                history = complete[..last];
            }
        }

        // A question from broken messages is already reported there; an empty stand-in keeps "question missing" out.
        var query = hasQuestion ? null : asked ?? (hasMessages ? string.Empty : null);
        SearchRequest search;
        try
        {
            (search, _) = SearchEndpoints.ReadSearchRequest(body, request, MaxTopK, queryField: "question", query: query);
        }
        catch (ValidationException invalid) when (errors.Count > 0)
        {
            throw new ValidationException([.. invalid.Errors, .. errors]);
        }

        if (errors.Count > 0)
        {
            throw new ValidationException(errors);
        }

        // Search's reader defaults top_k to search's 10; chat's default is 5. The field is valid by now, so reading
        // it again adds no error and tells whether it was given.
        if (body.ReadInt("top_k", 1, MaxTopK) is null)
        {
            search = search with { TopK = DefaultTopK };
        }

        return new ChatRequest(search, history);
    }

    /// <summary>
    /// Each message must be <c>{role, content}</c> with a known role and string content within the configured length;
    /// errors are located by index. The whole conversation goes to the model, so its total length is capped too.
    /// </summary>
    private static List<ConversationTurn?>? ReadMessages(JsonElement messages, ChatModelOptions limits, List<FieldError> errors)
    {
        if (messages.ValueKind != JsonValueKind.Array)
        {
            errors.Add(new FieldError(["body", "messages"], "Input should be a valid list.", "list_type"));
            return null;
        }

        if (messages.GetArrayLength() > MaxMessages)
        {
            errors.Add(new FieldError(["body", "messages"], $"List should have at most {MaxMessages} items.", "too_long"));
            return null;
        }

        var turns = new List<ConversationTurn?>();
        var index = 0;
        foreach (var message in messages.EnumerateArray())
        {
            var at = index.ToString(CultureInfo.InvariantCulture);
            index++;
            if (message.ValueKind != JsonValueKind.Object)
            {
                errors.Add(new FieldError(["body", "messages", at], "Input should be a valid dictionary.", "dict_type"));
                turns.Add(null);
                continue;
            }

            var role = ReadRole(message, at, errors);
            var content = ReadContent(message, at, limits.MaxMessageCharacters, errors);
            turns.Add(role is { } r && content is not null ? new ConversationTurn(r, content) : null);
        }

        var total = turns.Sum(t => (long)(t?.Content.Length ?? 0));
        if (total > limits.MaxConversationCharacters)
        {
            errors.Add(new FieldError(["body", "messages"],
                $"The messages' content should have at most {limits.MaxConversationCharacters} characters in total; it has {total}.", "too_long"));
        }

        return turns;
    }

    private static ConversationRole? ReadRole(JsonElement message, string at, List<FieldError> errors)
    {
        if (!message.TryGetProperty("role", out var role) || role.ValueKind == JsonValueKind.Null)
        {
            errors.Add(new FieldError(["body", "messages", at, "role"], "Field required.", "missing"));
            return null;
        }

        if (role.ValueKind == JsonValueKind.String && RoleNames.TryGetValue(role.GetString()!, out var known))
        {
            return known;
        }

        errors.Add(new FieldError(["body", "messages", at, "role"], $"Input should be one of: {string.Join(", ", RoleNames.Keys)}.", "enum"));
        return null;
    }

    private static string? ReadContent(JsonElement message, string at, int maxLength, List<FieldError> errors)
    {
        if (!message.TryGetProperty("content", out var content) || content.ValueKind == JsonValueKind.Null)
        {
            errors.Add(new FieldError(["body", "messages", at, "content"], "Field required.", "missing"));
            return null;
        }

        if (content.ValueKind != JsonValueKind.String)
        {
            errors.Add(new FieldError(["body", "messages", at, "content"], "Input should be a valid string.", "string_type"));
            return null;
        }

        var text = content.GetString()!;
        if (text.Length > maxLength)
        {
            errors.Add(new FieldError(["body", "messages", at, "content"], $"Message {at} should have at most {maxLength} characters; it has {text.Length}.", "string_too_long"));
            return null;
        }

        return text;
    }

    private static void CheckQuestionLength(string question, int index, List<FieldError> errors)
    {
        IReadOnlyList<string> location = ["body", "messages", index.ToString(CultureInfo.InvariantCulture), "content"];
        if (question.Length == 0)
        {
            errors.Add(new FieldError(location, "String should have at least 1 character.", "string_too_short"));
        }
        else if (question.Length > MaxQuestionLength)
        {
            errors.Add(new FieldError(location, $"String should have at most {MaxQuestionLength} characters.", "string_too_long"));
        }
    }

    private static bool Has(JsonElement root, string field, out JsonElement value)
    {
        value = default;
        return root.ValueKind == JsonValueKind.Object && root.TryGetProperty(field, out value) && value.ValueKind != JsonValueKind.Null;
    }
}
