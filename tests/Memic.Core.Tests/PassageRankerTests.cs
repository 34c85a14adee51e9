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

    [Fact]
    public void A_page_scores_lower_behind_a_clearly_better_answer_than_as_the_best_match()
    {
        var page = Candidate("os.html", ["os", "Files and Directories"], "os.rename(src, dst) Rename the file or directory src to dst.", text: 4.0, textRank: 1, cosine: 0.48);
        var answer = Candidate("shutil.html", ["shutil", "Directory and files operations"],
            "shutil.copyfile(src, dst) Copy the contents of the file named src to a file named dst.", text: 9.0, textRank: 1, cosine: 0.62);
        const string query = "copy the contents of a file to another file";

        var alone = Assert.Single(PassageRanker.Rank(query, [page], PassageRanker.Model, MiniLm));
        var behind = PassageRanker.Rank(query, [page, answer with { TextRank = 1 }, page with { TextRank = 2 }], PassageRanker.Model, MiniLm)
            .First(r => r.Candidate.Chunk.FileName == "os.html" && r.Candidate.TextRank == 2);
        var model = PassageRanker.Model with { GapWeight = 0 };
        var behindWithoutGap = PassageRanker.Rank(query, [answer with { TextRank = 1 }, page with { TextRank = 2 }], model, MiniLm)
            .First(r => r.Candidate.Chunk.FileName == "os.html");
        var behindWithGap = PassageRanker.Rank(query, [answer with { TextRank = 1 }, page with { TextRank = 2 }], PassageRanker.Model, MiniLm)
            .First(r => r.Candidate.Chunk.FileName == "os.html");

        Assert.True(behindWithGap.Probability < behindWithoutGap.Probability, $"{behindWithGap.Probability} vs {behindWithoutGap.Probability}");
        Assert.True(behind.Score < alone.Score);
    }

    [Fact]
    public void A_documents_further_passages_rank_after_another_documents_close_match()
    {
        var json = Candidate("json.html", ["json", "Basic Usage"], "json.dumps(obj) Serialize obj to a JSON formatted str.", text: 9.0, textRank: 1, cosine: 0.70);
        var jsonAgain = Candidate("json.html", ["json", "Basic Usage"], "json.dump(obj, fp) Serialize obj as a JSON formatted stream to fp.", text: 8.5, textRank: 2, cosine: 0.68);
        var pickle = Candidate("pickle.html", ["pickle", "Module Interface"], "pickle.dumps(obj) Return the pickled representation of obj, serialized.", text: 8.0, textRank: 3, cosine: 0.66);
        var pickleAgain = Candidate("pickle.html", ["pickle", "Module Interface"], "pickle.dump(obj, file) Write the pickled representation of obj to file.", text: 7.5, textRank: 4, cosine: 0.64);
        const string query = "serialize obj to a formatted str";

        var undiversified = PassageRanker.Rank(query, [json, jsonAgain, pickle, pickleAgain], PassageRanker.Model with { SameDocumentPenalty = 0 }, MiniLm);
        var ranked = PassageRanker.Rank(query, [json, jsonAgain, pickle, pickleAgain], PassageRanker.Model, MiniLm);

        Assert.Equal(["json.html", "json.html", "pickle.html", "pickle.html"], undiversified.Select(r => r.Candidate.Chunk.FileName));
        Assert.Equal(["json.html", "pickle.html", "json.html", "pickle.html"], ranked.Select(r => r.Candidate.Chunk.FileName));
    }

    [Fact]
    public void The_semantic_floor_lifts_only_the_nearest_passage()
    {
        var nearest = Candidate("account.md", ["Account"], "Reset a lost password from the sign-in page.", text: null, textRank: null, cosine: 0.62);
        var nextNearest = Candidate("security.md", ["Security"], "Passwords expire every ninety days.", text: null, textRank: null, cosine: 0.61);
        var model = PassageRanker.Model with { SemanticFloor = RelevanceScorer.Semantic(0.55, MiniLm) };

        var ranked = PassageRanker.Rank("I forgot my login credentials", [nextNearest, nearest], model, MiniLm);

        Assert.Equal("account.md", ranked[0].Candidate.Chunk.FileName);
        Assert.True(ranked[0].Score >= 0.7, $"nearest scored {ranked[0].Score}");
        Assert.True(ranked[1].Score < 0.7, $"next nearest scored {ranked[1].Score}");
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
