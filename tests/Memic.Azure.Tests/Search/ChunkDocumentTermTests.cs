using System.Text;
using System.Text.Json;
using Memic.Azure.Search.Internals;
using Memic.Core.Search;

namespace Memic.Azure.Tests.Search;

/// <summary>The terms the adapter indexes are the ones upload validation measures, so accepted metadata always indexes.</summary>
public sealed class ChunkDocumentTermTests
{
    private static IndexedChunk ChunkWith(IReadOnlyDictionary<string, string> metadata) => new(
        Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), 0, "text", 1, 1, 1, 1, [], "a.txt", "text/plain", null, null, null, metadata, new float[] { 1f });

    [Theory]
    [InlineData("k", 'a')]
    [InlineData("a=b%", 'é')]
    public void The_largest_accepted_entry_becomes_a_term_of_exactly_the_index_limit(string key, char filler)
    {
        var prefixBytes = Encoding.UTF8.GetByteCount(MetadataTerms.Encode(key, ""));
        var charBytes = Encoding.UTF8.GetByteCount([filler]);
        var value = new string(filler, (MetadataTerms.MaxTermBytes - prefixBytes) / charBytes);
        value += new string('a', MetadataTerms.MaxTermBytes - prefixBytes - Encoding.UTF8.GetByteCount(value));
        var metadata = JsonSerializer.SerializeToElement(new Dictionary<string, string> { [key] = value });

        var accepted = MetadataTerms.CheckLengths(metadata);
        var document = ChunkDocument.From(ChunkWith(MetadataTerms.ScalarValues(metadata)));

        Assert.Empty(accepted);
        var term = Assert.Single(document.Metadata);
        Assert.Equal(MetadataTerms.MaxTermBytes, Encoding.UTF8.GetByteCount(term));
        Assert.Equal(new KeyValuePair<string, string>(key, value), MetadataTerms.Decode(term));
        Assert.NotEmpty(MetadataTerms.CheckLengths(JsonSerializer.SerializeToElement(new Dictionary<string, string> { [key] = value + "a" })));
    }
}
