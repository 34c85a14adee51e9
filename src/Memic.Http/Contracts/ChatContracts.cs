using Memic.Core.Chat;

namespace Memic.Http.Contracts;

/// <summary>One cited passage (CONTRACT §7); the n-th citation is the answer's marker <c>[n]</c>.</summary>
public sealed record ChatCitationItem(Guid FileId, string FileName, int Page, string Passage)
{
    public static ChatCitationItem From(ChatCitation citation) => new(citation.FileId, citation.FileName, citation.Page, citation.Passage);
}

/// <summary>The chat response of CONTRACT §7; <c>routing</c> and <c>results</c> have search's shapes (§6).</summary>
public sealed record ChatAnswerResponse(
    string Question,
    string Answer,
    string Model,
    IReadOnlyList<ChatCitationItem> Citations,
    RoutingResponse Routing,
    SearchResults Results);
