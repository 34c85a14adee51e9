using Memic.Core.Search;

namespace Memic.Core.Tests;

public sealed class PassageRankerTests
{
    private static readonly RelevanceProfile MiniLm = RelevanceProfile.MiniLm;

    [Fact]
    public void A_passage_that_holds_the_query_words_under_a_matching_heading_ranks_above_a_near_miss()
    {
        var answer = Candidate("shutil.html", ["shutil — High-level file operations", "Directory and files operations"],
            "shutil.copyfile(src, dst) Copy the contents of the file named src to a file named dst.", text: 9.0, textRank: 1, cosine: 0.62);
        var nearMiss = Candidate("os.html", ["os — Miscellaneous operating system interfaces", "Files and Directories"],
            "os.rename(src, dst) Rename the file or directory src to dst.", text: 4.0, textRank: 2, cosine: 0.48);

        var ranked = PassageRanker.Rank("copy the contents of a file to another file", [nearMiss, answer], PassageRanker.Model, MiniLm);

        Assert.Equal(["shutil.html", "os.html"], ranked.Select(r => r.Candidate.Chunk.FileName));
        Assert.True(ranked[0].Score > ranked[1].Score);
        Assert.All(ranked, r => Assert.InRange(r.Score, 0, 1));
    }

    [Fact]
    public void A_nonsense_query_scores_below_the_default_min_score()
    {
        var candidates = new[]
        {
            Candidate("a.html", ["A"], "Return the number of items in the container.", text: null, textRank: null, cosine: 0.12),
            Candidate("b.html", ["B"], "Open the file and return a stream.", text: null, textRank: null, cosine: 0.08),
        };

        var ranked = PassageRanker.Rank("vorpal mimsy borogove", candidates, PassageRanker.Model, MiniLm);

        Assert.All(ranked, r => Assert.True(r.Score < 0.7, $"{r.Candidate.Chunk.FileName} scored {r.Score}"));
    }

    [Fact]
    public void A_quoted_passage_scores_in_the_top_band_above_every_other()
    {
        var quoted = Candidate("a.html", ["A"], "The boiler must be serviced every twelve months by a certified technician.", text: 3.0, textRank: 2, cosine: 0.5);
        var other = Candidate("b.html", ["Boiler service"], "Boilers are serviced by technicians.", text: 5.0, textRank: 1, cosine: 0.7);

        var ranked = PassageRanker.Rank("serviced every twelve months by a certified technician", [other, quoted], PassageRanker.Model, MiniLm);

        Assert.Equal("a.html", ranked[0].Candidate.Chunk.FileName);
        Assert.InRange(ranked[0].Score, 0.9, 1.0);
        Assert.True(ranked[1].Score < 0.9);
    }

    [Theory]
    [InlineData(3.6, true)]
    [InlineData(2.6, true)]
    [InlineData(2.2, false)]
    [InlineData(0.8, false)]
    public void A_semantic_reranker_score_maps_to_the_default_min_score_at_two_and_a_half(double reranker, bool kept)
    {
        var candidate = Candidate("a.html", ["A"], "Anything at all.", text: null, textRank: null, cosine: 0.3) with { RerankerScore = reranker };

        var scored = Assert.Single(PassageRanker.RankByReranker("what is it", [candidate]));

        Assert.Equal(kept, scored.Score >= 0.7);
        Assert.True(scored.Score < 0.9);
    }

    [Fact]
    public void Reranked_candidates_are_ordered_by_the_rerankers_score_and_unreached_ones_come_last()
    {
        var low = Candidate("low.html", [], "x", null, null, 0.9) with { RerankerScore = 1.0 };
        var high = Candidate("high.html", [], "y", null, null, 0.1) with { RerankerScore = 3.9 };
        var unreached = Candidate("none.html", [], "z", null, null, 0.95);

        var ranked = PassageRanker.RankByReranker("query words", [low, unreached, high]);

        Assert.Equal(["high.html", "low.html", "none.html"], ranked.Select(r => r.Candidate.Chunk.FileName));
    }

    private static IndexCandidate Candidate(string fileName, string[] headings, string content, double? text, int? textRank, double cosine) =>
        new(
            new IndexedChunk(
                Guid.NewGuid(), FileIdOf(fileName), Guid.Empty, 0, content, 1, 1, 1, 10, headings, fileName, "text/html",
                null, null, null, new Dictionary<string, string>(), ReadOnlyMemory<float>.Empty),
            text, textRank, cosine, null);

    /// <summary>A stable id per file name, so candidates of one file count as one document.</summary>
    private static Guid FileIdOf(string fileName) =>
        new(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(fileName)).AsSpan(0, 16));
}
