using Memic.Core.Search;

namespace Memic.Core.Chat;

/// <summary>Who said a turn of a conversation (CONTRACT §7 <c>messages[].role</c>).</summary>
public enum ConversationRole
{
    User,
    Assistant,
    System,
}

public sealed record ConversationTurn(ConversationRole Role, string Content);

/// <summary>
/// A validated chat request of one environment: the question is <see cref="SearchRequest.Query"/>, retrieved with the
/// same limits and filters as search; <see cref="History"/> holds the turns that came before it.
/// </summary>
public sealed record ChatRequest(SearchRequest Search, IReadOnlyList<ConversationTurn> History)
{
    public string Question => Search.Query;
}

/// <summary>A passage the answer cites; the n-th citation is the answer's marker <c>[n]</c>.</summary>
public sealed record ChatCitation(Guid FileId, string FileName, int Page, string Passage)
{
    public static ChatCitation From(SearchHit hit) => new(hit.Chunk.FileId, hit.Chunk.FileName, hit.Chunk.PageNumber, hit.Chunk.Content);
}

/// <summary>An answer with what it was built from: <see cref="Model"/> names the model, or says the answer is extractive.</summary>
public sealed record ChatAnswer(string Question, string Answer, string Model, IReadOnlyList<ChatCitation> Citations, SearchOutcome Retrieval);
