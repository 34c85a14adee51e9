using Memic.Core.Prompts;
using Memic.Core.Tenancy;

namespace Memic.Core.Tests;

/// <summary>
/// Validation patterns anchor at the true end of the input: in .NET <c>$</c> also matches before a final "\n", which let
/// "prod\n" pass as a slug and reach storage keys.
/// </summary>
public sealed class TrailingNewlineValidationTests
{
    [Theory]
    [InlineData("prod\n")]
    [InlineData("prod\r\n")]
    public void An_environment_slug_with_a_trailing_newline_is_refused(string slug)
    {
        var error = EnvironmentSlug.Check(slug);

        Assert.False(EnvironmentSlug.IsValid(slug));
        Assert.Equal("string_pattern_mismatch", error?.Type);
        Assert.True(EnvironmentSlug.IsValid("prod"));
    }

    [Fact]
    public void A_prompt_name_with_a_trailing_newline_is_refused()
    {
        var error = PromptName.Check("greeting\n");

        Assert.Equal("string_pattern_mismatch", error?.Type);
        Assert.True(PromptName.IsValid("greeting"));
    }
}
