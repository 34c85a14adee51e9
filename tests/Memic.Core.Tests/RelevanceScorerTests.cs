using Memic.Core.Search;

namespace Memic.Core.Tests;

public sealed class RelevanceScorerTests
{
    private const string Passage = "The boiler must be serviced every twelve months by a certified technician, and the date recorded in the log.";
    private static readonly RelevanceProfile MiniLm = RelevanceProfile.MiniLm;

    [Fact]
    public void Quote_scores_in_the_top_band_even_with_a_middling_cosine()
    {
        var score = RelevanceScorer.Score("serviced every twelve months by a certified technician", Passage, cosine: 0.45, MiniLm);

        Assert.InRange(score, 0.9, 1.0);
    }

    [Theory]
    [InlineData(0.99)]
    [InlineData(0.75)]
    [InlineData(0.55)]
    public void Paraphrase_scores_in_the_relevant_band_below_any_quote(double cosine)
    {
        var score = RelevanceScorer.Score("How often does the heating system need maintenance?", Passage, cosine, MiniLm);

        Assert.InRange(score, 0.7, 0.8999);
    }

    [Fact]
    public void Unrelated_query_scores_below_the_default_min_score()
    {
        Assert.True(RelevanceScorer.Score("recipe for chocolate lava cake", Passage, cosine: 0.05, MiniLm) < 0.7);
        Assert.True(RelevanceScorer.Score("zxqv plorkt wubble", Passage, cosine: 0.30, MiniLm) < 0.7);
    }

    [Fact]
    public void Keyword_query_whose_words_the_passage_holds_is_relevant()
    {
        var score = RelevanceScorer.Score("boiler technician log", Passage, cosine: 0.30, MiniLm);

        Assert.InRange(score, 0.7, 0.8999);
    }

    [Fact]
    public void Sharing_one_word_is_not_enough()
    {
        Assert.True(RelevanceScorer.Score("boiler explosion insurance claims procedure", Passage, cosine: 0.25, MiniLm) < 0.7);
    }

    [Fact]
    public void Score_grows_with_cosine()
    {
        var scores = Enumerable.Range(0, 21).Select(i => RelevanceScorer.Score("how often is maintenance due", Passage, i / 20.0, MiniLm)).ToList();

        Assert.Equal(scores.Order(), scores);
        Assert.All(scores, s => Assert.InRange(s, 0, 1));
    }
}
