using Memic.Ingestion.Chunking;

namespace Memic.Ingestion.Tests.Chunking;

public sealed class ApproximateWordPieceTokenCounterTests
{
    [Theory]
    [InlineData("", 0)]
    [InlineData("   \n\t", 0)]
    [InlineData("Hello, world!", 4)]
    [InlineData("the cat sat", 3)]
    [InlineData("internationalization", 5)]
    [InlineData("2024", 2)]
    [InlineData("東京都", 3)]
    [InlineData("e-mail", 3)]
    public void Counts_words_punctuation_digits_and_cjk_like_wordpiece(string text, int expected)
    {
        Assert.Equal(expected, ApproximateWordPieceTokenCounter.Instance.CountTokens(text));
    }

    [Fact]
    public void Count_of_joined_words_is_the_sum_of_their_counts()
    {
        var counter = ApproximateWordPieceTokenCounter.Instance;

        Assert.Equal(counter.CountTokens("Payment terms.") + counter.CountTokens("Net thirty days."), counter.CountTokens("Payment terms. Net thirty days."));
    }
}

public sealed class SentenceSplitterTests
{
    [Theory]
    [InlineData("One. Two! Three? Four", new[] { "One.", "Two!", "Three?", "Four" })]
    [InlineData("Dr. Smith met Mr. Jones at 3.15 p.m. today. Then he left.", new[] { "Dr. Smith met Mr. Jones at 3.15 p.m. today.", "Then he left." })]
    [InlineData("Use e.g. apples or i.e. fruit. Done.", new[] { "Use e.g. apples or i.e. fruit.", "Done." })]
    [InlineData("J. R. Tolkien wrote it. Yes.", new[] { "J. R. Tolkien wrote it.", "Yes." })]
    [InlineData("He said \"Stop.\" Then silence.", new[] { "He said \"Stop.\"", "Then silence." })]
    [InlineData("第一句。第二句。", new[] { "第一句。", "第二句。" })]
    [InlineData("line one\nline two", new[] { "line one", "line two" })]
    [InlineData("Version 2.0 is out. see notes", new[] { "Version 2.0 is out. see notes" })]
    public void Sentences_end_at_terminal_punctuation_but_not_at_abbreviations_initials_or_decimals(string text, string[] expected)
    {
        Assert.Equal(expected, SentenceSplitter.Sentences(text).Select(sentence => sentence.Text));
    }

    [Fact]
    public void Each_sentence_keeps_the_separator_that_stood_before_it()
    {
        Assert.Equal(["", " ", "\n"], SentenceSplitter.Sentences("Alpha beta. Gamma delta.\nEpsilon zeta.").Select(sentence => sentence.Separator));
    }
}
