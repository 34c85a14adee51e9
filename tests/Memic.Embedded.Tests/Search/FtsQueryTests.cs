using System.Text.RegularExpressions;
using Memic.Embedded.Search.Internals;

namespace Memic.Embedded.Tests.Search;

public sealed partial class FtsQueryTests
{
    [Fact]
    public void Words_are_quoted_and_or_ed()
    {
        Assert.Equal("\"hello\" OR \"world\"", FtsQuery.Build("Hello, World! hello"));
        Assert.Equal("\"banana\"", FtsQuery.Build("banana"));
    }

    [Fact]
    public void Stopwords_are_left_out()
    {
        Assert.Equal("\"cell\"", FtsQuery.Build("the cell"));
        Assert.Null(FtsQuery.Build("the of and is"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\"")]
    [InlineData("*")]
    [InlineData("()-+^:{}")]
    [InlineData("🙂🚀👍🏽")]
    [InlineData("\0\u0001")]
    public void Text_without_words_gives_no_query(string? text) => Assert.Null(FtsQuery.Build(text));

    [Theory]
    [InlineData("a OR b NOT c AND d")]
    [InlineData("NEAR(one two, 5)")]
    [InlineData("col:val -x +y ^z")]
    [InlineData("'); DROP TABLE chunks;--")]
    [InlineData("\"quoted phrase\" and \"unterminated")]
    [InlineData("prefix* {content heading}: term")]
    [InlineData("emoji 🙂 between words")]
    public void Only_quoted_strings_joined_by_or_reach_fts5(string text)
    {
        var query = FtsQuery.Build(text);

        Assert.NotNull(query);
        Assert.Matches(OnlyQuotedStrings(), query);
    }

    [Fact]
    public void Letters_digits_and_combining_marks_of_any_script_make_words()
    {
        Assert.Equal(["ünïcödé", "naïve", "東京タワー", "cafe\u0301", "2024"], FtsQuery.Words("Ünïcödé naïve 東京タワー cafe\u0301 2024"));
    }

    [Fact]
    public void A_long_query_is_capped()
    {
        var text = string.Join(' ', Enumerable.Range(0, 200).Select(i => $"word{i}"));

        var parts = FtsQuery.Build(text)!.Split(" OR ");

        Assert.Equal(FtsQuery.MaxTerms, parts.Length);
    }

    [GeneratedRegex("""^"([^"]|"")*"( OR "([^"]|"")*")*$""")]
    private static partial Regex OnlyQuotedStrings();
}
