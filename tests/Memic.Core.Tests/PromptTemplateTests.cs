using Memic.Core.Prompts;

namespace Memic.Core.Tests;

public sealed class PromptTemplateTests
{
    [Theory]
    [InlineData("{{ a }} {{b}} {{a}}", new[] { "a", "b" })]
    [InlineData("{{b}} then {{a}} then {{ b }}", new[] { "b", "a" })]
    [InlineData("{{\ta\n}} {{   long_name_2   }}", new[] { "a", "long_name_2" })]
    [InlineData("{{A}} {{a}}", new[] { "A", "a" })]
    [InlineData("{{{x}}}", new[] { "x" })]
    public void Variables_are_unique_names_in_order_of_first_appearance(string body, string[] expected) =>
        Assert.Equal(expected, PromptTemplate.Variables(body));

    [Theory]
    [InlineData("no placeholders")]
    [InlineData("{{}} {{ }} {a} { {a} } {{a b}} {{a-b}} {{ a.b }}")]
    [InlineData("{{a}")]
    public void Text_that_is_not_a_placeholder_declares_no_variable(string body) =>
        Assert.Empty(PromptTemplate.Variables(body));

    [Theory]
    [InlineData("greeting", true)]
    [InlineData("Support.Greeting-v2_final", true)]
    [InlineData("a", true)]
    [InlineData("", false)]
    [InlineData("has space", false)]
    [InlineData("slash/name", false)]
    [InlineData("ümlaut", false)]
    [InlineData("{{x}}", false)]
    [InlineData(".", false)]
    [InlineData("..", false)]
    [InlineData("...", true)]
    public void Name_rules(string name, bool valid) => Assert.Equal(valid, PromptName.IsValid(name));

    [Fact]
    public void Name_of_100_characters_is_valid_and_101_is_not()
    {
        Assert.True(PromptName.IsValid(new string('n', 100)));
        Assert.Equal("string_too_long", PromptName.Check(new string('n', 101))!.Type);
    }
}
