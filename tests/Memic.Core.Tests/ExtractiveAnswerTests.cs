using Memic.Core.Chat;
using Memic.Core.Search;

namespace Memic.Core.Tests;

public sealed class ExtractiveAnswerTests
{
    private static SearchHit Hit(string content, double score = 0.8, string fileName = "doc.txt", int page = 1) =>
        new(new IndexedChunk(
            Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), 0, content, page, page, page, 10, [], fileName, "text/plain",
            null, null, null, new Dictionary<string, string>(), ReadOnlyMemory<float>.Empty), score);

    [Fact]
    public void The_sentence_holding_the_question_words_comes_first_with_its_marker_before_the_full_stop()
    {
        var heating = Hit("Heating\nThe office is warm in winter. The boiler must be serviced every twelve months by a certified technician. Radiators are white.");

        var answer = ExtractiveAnswer.Compose("How often must the boiler be serviced?", [heating]);

        Assert.StartsWith("The boiler must be serviced every twelve months by a certified technician [1].", answer.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Radiators", answer.Text, StringComparison.Ordinal);
        Assert.Equal([heating], answer.Cited);
    }

    [Fact]
    public void Sentences_of_several_passages_are_numbered_by_first_citation_and_unused_passages_are_not_cited()
    {
        var parking = Hit("Staff parking is on levels two and three of the garage.", 0.95);
        var unrelated = Hit("The canteen serves lunch from noon until two o'clock.", 0.9);
        var visitors = Hit("Visitor parking is on level one, next to the lifts.", 0.75);

        var answer = ExtractiveAnswer.Compose("Where is parking for staff and visitors?", [parking, unrelated, visitors]);

        Assert.Equal("Staff parking is on levels two and three of the garage [1]. Visitor parking is on level one, next to the lifts [2].", answer.Text);
        Assert.Equal([parking, visitors], answer.Cited);
    }

    [Fact]
    public void A_question_that_shares_no_word_gets_the_best_passage_first_sentence_only()
    {
        var best = Hit("Employees accrue 2.5 days of paid vacation per month worked. Unused days expire in March.", 0.85);
        var other = Hit("Visitors sign in at the front desk and wear a badge at all times.", 0.71);

        var answer = ExtractiveAnswer.Compose("annual leave entitlement", [best, other]);

        Assert.Equal("Employees accrue 2.5 days of paid vacation per month worked [1].", answer.Text);
        Assert.Equal([best], answer.Cited);
    }

    [Fact]
    public void The_same_sentence_from_overlapping_passages_is_quoted_once()
    {
        var first = Hit("Passwords expire after ninety days. Reset your password from the Security page.", 0.9);
        var overlap = Hit("Reset your password from the Security page. Passwords expire after ninety days.", 0.88);

        var answer = ExtractiveAnswer.Compose("When do passwords expire and how do I reset my password?", [first, overlap]);

        Assert.Equal(1, CountOf(answer.Text, "Passwords expire after ninety days"));
        Assert.Equal(1, CountOf(answer.Text, "Reset your password from the Security page"));
        Assert.Equal([first], answer.Cited);
    }

    [Fact]
    public void Long_sentences_are_cut_at_a_word_and_the_answer_stays_short()
    {
        var longSentence = string.Join(' ', Enumerable.Repeat("widget warranty terms apply", 40)) + ".";
        var hits = Enumerable.Range(0, 5).Select(i => Hit($"Widget warranty {i} covers hinges for {i + 1} years. {longSentence}")).ToList();

        var answer = ExtractiveAnswer.Compose("widget warranty hinges", hits);

        Assert.InRange(answer.Text.Length, 1, 800);
        Assert.DoesNotContain("  ", answer.Text, StringComparison.Ordinal);
        Assert.Matches(@"\[\d\]\.?$", answer.Text);
    }

    [Fact]
    public void Wrapped_lines_are_joined_and_headings_and_list_marks_are_left_out()
    {
        var sentences = ExtractiveAnswer.Sentences(
            "## Heating\n\nThe boiler must be serviced every twelve months by a certified\ntechnician, and the date recorded.\n- Keep the boiler room clear of boxes.\n1. Report leaks at once to facilities.");

        Assert.Equal(
            ["The boiler must be serviced every twelve months by a certified technician, and the date recorded.", "Keep the boiler room clear of boxes.", "Report leaks at once to facilities."],
            sentences);
    }

    [Fact]
    public void A_passage_without_sentences_is_quoted_as_it_is()
    {
        var table = Hit("SKU | Price\nA1 | 10");

        var answer = ExtractiveAnswer.Compose("price of A1", [table]);

        Assert.Equal("SKU | Price A1 | 10 [1]", answer.Text);
        Assert.Equal([table], answer.Cited);
    }

    [Theory]
    [InlineData("Yearly [2].", 3, "Yearly [1].", new[] { 1 })]
    [InlineData("A [3]. B [1, 3]. C [1][2].", 3, "A [1]. B [2, 1]. C [2][3].", new[] { 2, 0, 1 })]
    [InlineData("A [9]. B [2].", 2, "A. B [1].", new[] { 1 })]
    [InlineData("Built in [2024], no markers.", 2, "Built in [2024], no markers.", new int[0])]
    [InlineData("Nothing cited.", 2, "Nothing cited.", new int[0])]
    public void Citation_markers_are_renumbered_in_order_of_first_citation(string answer, int passages, string expected, int[] cited)
    {
        var (text, order) = CitationMarkers.Renumber(answer, passages);

        Assert.Equal(expected, text);
        Assert.Equal(cited, order);
    }

    private static int CountOf(string text, string part) =>
        (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;
}
