using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Memic.Core.Chat;
using Memic.Core.Search;
using Memic.Http.Requests;
using Microsoft.Extensions.Options;
using CoreChatRequest = Memic.Core.Chat.ChatRequest;
using CoreSearchRequest = Memic.Core.Search.SearchRequest;

namespace Memic.Http.Contracts;

/// <summary>
/// The body of <c>POST /chat</c> (CONTRACT §7): search's fields with <c>question</c>, or a conversation in
/// <c>messages</c> whose last user turn is the question and whose earlier turns are the history.
/// </summary>
public sealed record ChatRequest(
    [RequiredWithout("messages"), StringLength(ChatRequest.MaxQuestionLength, MinimumLength = 1)] string? Question = null,
    [MaxLength(ChatRequest.MaxMessages)] IReadOnlyList<ChatMessage>? Messages = null,
    [Range(1, 20)] int TopK = 5,
    [Range(0.0, 1.0)] double MinScore = 0.7,
    bool IncludeMetadata = true,
    IReadOnlyList<Guid>? FileIds = null,
    SearchRoute? ForceRoute = null,
    string? ConnectorId = null,
    string? ProjectId = null,
    [StringLength(63)] string? EnvironmentSlug = null,
    MetadataFilters? MetadataFilters = null,
    SearchFilters? Filters = null) : IValidatableObject
{
    public const int MaxQuestionLength = 1000;
    public const int MaxMessages = 100;

    /// <summary>The question and its history; only meaningful once the request is valid.</summary>
    public CoreChatRequest ToChat()
    {
        var turns = (Messages ?? []).Select(m => new ConversationTurn(m.Role!.Value, m.Content!)).ToList();
        var last = Question is null ? turns.FindLastIndex(t => t.Role == ConversationRole.User) : turns.Count;
        var question = Question ?? turns[last].Content;
        var search = new CoreSearchRequest(question, TopK, MinScore, SearchScope.Filter(FileIds, MetadataFilters, Filters), IncludeMetadata, ForceRoute, ConnectorIds.Parse(ConnectorId));
        return new CoreChatRequest(search, turns[..last]);
    }

    /// <summary>
    /// The conversation's rules: each message within the configured length, the whole within its total, and without a
    /// <c>question</c>, a last user message that can be one.
    /// </summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Messages is null)
        {
            yield break;
        }

        var limits = ((IOptions<ChatModelOptions>)validationContext.GetService(typeof(IOptions<ChatModelOptions>))!).Value;
        var complete = true;
        long total = 0;
        for (var i = 0; i < Messages.Count; i++)
        {
            var message = Messages[i];
            var at = i.ToString(CultureInfo.InvariantCulture);
            if (message?.Content is { Length: var length } && length > limits.MaxMessageCharacters)
            {
                yield return new FieldValidationResult(["body", "messages", at, "content"],
                    $"Message {at} should have at most {limits.MaxMessageCharacters} characters; it has {length}.", "string_too_long");
                complete = false;
                continue;
            }

            complete &= message is { Role: not null, Content: not null };
            total += message?.Role is not null ? message.Content?.Length ?? 0 : 0;
        }

        if (total > limits.MaxConversationCharacters)
        {
            yield return new FieldValidationResult(["body", "messages"],
                $"The messages' content should have at most {limits.MaxConversationCharacters} characters in total; it has {total}.", "too_long");
        }

        if (!complete || Question is not null)
        {
            yield break;
        }

        var last = Messages.Select((m, i) => (m, i)).LastOrDefault(x => x.m.Role == ConversationRole.User, (null!, -1)).Item2;
        if (last < 0)
        {
            yield return new FieldValidationResult(["body", "messages"], "Input should contain a user message: the last one is the question.", "value_error");
            yield break;
        }

        IReadOnlyList<string> location = ["body", "messages", last.ToString(CultureInfo.InvariantCulture), "content"];
        var asked = Messages[last].Content!;
        if (asked.Length == 0)
        {
            yield return new FieldValidationResult(location, "String should have at least 1 character.", "string_too_short");
        }
        else if (asked.Length > MaxQuestionLength)
        {
            yield return new FieldValidationResult(location, $"String should have at most {MaxQuestionLength} characters.", "string_too_long");
        }
    }
}

/// <summary>One turn of a conversation.</summary>
public sealed record ChatMessage([Required] ConversationRole? Role, [Required] string? Content);
