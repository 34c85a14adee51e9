using Memic.Azure.Search.Internals;

namespace Memic.Azure.Tests.Search;

public sealed class DocumentBatchesTests
{
    [Fact]
    public void Batches_hold_at_most_a_thousand_documents()
    {
        var sizes = DocumentBatches.Split(Enumerable.Range(0, 2_500).ToList(), _ => 10).Select(b => b.Count).ToList();

        Assert.Equal([1_000, 1_000, 500], sizes);
    }

    [Fact]
    public void Batches_stay_under_the_byte_limit_and_keep_order()
    {
        var documents = Enumerable.Range(0, 10).ToList();

        var batches = DocumentBatches.Split(documents, _ => 3_000_000).ToList();

        Assert.Equal([5, 5], batches.Select(b => b.Count));
        Assert.Equal(documents, batches.SelectMany(b => b));
        Assert.All(batches, b => Assert.True(b.Count * (3_000_000 + 64) <= DocumentBatches.MaxBytes));
    }

    [Fact]
    public void A_document_larger_than_a_request_is_refused()
    {
        Assert.Throws<ArgumentException>(() => DocumentBatches.Split([1], _ => 16_000_000).ToList());
    }

    [Fact]
    public void No_documents_make_no_batch() => Assert.Empty(DocumentBatches.Split(Array.Empty<int>(), _ => 1));
}
