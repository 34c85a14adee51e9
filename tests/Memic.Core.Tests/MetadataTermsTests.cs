using System.Text;
using System.Text.Json;
using Memic.Core.Search;

namespace Memic.Core.Tests;

/// <summary>Metadata entries are refused exactly when their indexed <c>key=value</c> term would exceed the search index's limit.</summary>
public sealed class MetadataTermsTests
{
    private static JsonElement Metadata(string key, string value) =>
        JsonSerializer.SerializeToElement(new Dictionary<string, string> { [key] = value });

    [Fact]
    public void A_term_of_exactly_the_limit_is_accepted()
    {
        // "k=" plus the value: 2 + 32,764 bytes.
        var metadata = Metadata("k", new string('a', MetadataTerms.MaxTermBytes - 2));

        var errors = MetadataTerms.CheckLengths(metadata);

        Assert.Empty(errors);
        Assert.Equal(MetadataTerms.MaxTermBytes, Encoding.UTF8.GetByteCount(MetadataTerms.Encode("k", new string('a', MetadataTerms.MaxTermBytes - 2))));
    }

    [Fact]
    public void One_byte_over_the_limit_is_refused_at_the_key()
    {
        var metadata = Metadata("k", new string('a', MetadataTerms.MaxTermBytes - 1));

        var error = Assert.Single(MetadataTerms.CheckLengths(metadata));

        Assert.Equal(["body", "metadata", "k"], error.Location);
        Assert.Equal("string_too_long", error.Type);
        Assert.Contains("32767", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Multi_byte_characters_count_in_utf8_bytes_not_characters()
    {
        // 'é' is two UTF-8 bytes: 16,382 of them make a term of exactly 32,766 bytes, one more makes 32,768.
        var fits = Metadata("k", new string('é', 16_382));
        var over = Metadata("k", new string('é', 16_383));

        Assert.Empty(MetadataTerms.CheckLengths(fits));
        var error = Assert.Single(MetadataTerms.CheckLengths(over));
        Assert.Equal(["body", "metadata", "k"], error.Location);
    }

    [Fact]
    public void The_escaped_key_counts_and_the_error_names_the_key_as_sent()
    {
        // "a=b" is indexed as "a%3Db=": 6 bytes before the value, so a value that would fit after "k=" does not fit here.
        var metadata = Metadata("a=b", new string('a', MetadataTerms.MaxTermBytes - 2));

        var error = Assert.Single(MetadataTerms.CheckLengths(metadata));

        Assert.Equal(["body", "metadata", "a=b"], error.Location);
    }

    [Fact]
    public void Numbers_and_booleans_are_terms_as_written_and_nested_values_are_not_indexed()
    {
        var metadata = JsonSerializer.SerializeToElement(new { year = 2026, draft = true, nested = new { big = new string('a', 40_000) } });

        var values = MetadataTerms.ScalarValues(metadata);

        Assert.Equal(new Dictionary<string, string> { ["year"] = "2026", ["draft"] = "true" }, values);
        Assert.Empty(MetadataTerms.CheckLengths(metadata));
    }
}
