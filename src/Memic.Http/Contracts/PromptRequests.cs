using System.ComponentModel.DataAnnotations;
using Memic.Core.Prompts;

namespace Memic.Http.Contracts;

/// <summary>A new version of a prompt (CONTRACT §10); it goes live at once unless <c>make_live</c> is false.</summary>
public sealed record CreatePromptVersionRequest(
    [Required, StringLength(PromptName.MaxLength, MinimumLength = 1)] string Name,
    [Required, StringLength(PromptTemplate.MaxBodyLength, MinimumLength = 1)] string Body,
    bool MakeLive = true);

public sealed record SetLivePromptVersionRequest([Required, Range(1, int.MaxValue)] int VersionNumber);
