using Memic.Azure.Catalog;
using Memic.Azure.Internals;
using Memic.Azure.Queues;
using Memic.Azure.Search.Pool;

namespace Memic.Azure.Tests;

/// <summary>
/// Table keys and Azure resource names are checked against patterns that end at the true end of the input (<c>\z</c>):
/// <c>$</c> also matches before a final "\n", and a key holding a control character is a 400 from Table Storage (a 500 to the caller).
/// </summary>
public sealed class TrailingNewlineValidationTests
{
    [Theory]
    [InlineData("greeting\n")]
    [InlineData("greeting\r\n")]
    public void A_key_segment_with_a_trailing_newline_is_hashed_not_kept_plain(string value)
    {
        var segment = TableKeys.Segment(value);

        Assert.StartsWith("~", segment, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', segment);
        Assert.Equal("greeting", TableKeys.Segment("greeting"));
    }

    [Fact]
    public void A_queue_name_with_a_trailing_newline_stops_the_host()
    {
        var options = new AzureQueueOptions { ConnectionString = Azurite.ConnectionString, QueueName = "memic-ingestion\n" };

        var result = new AzureQueueOptionsValidation().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("QueueName", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void A_table_prefix_with_a_trailing_newline_stops_the_host()
    {
        var options = new AzureTableOptions { ConnectionString = Azurite.ConnectionString, TablePrefix = "Memic\n" };

        var result = new AzureTableOptionsValidation().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("TablePrefix", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Search_pool_names_with_a_trailing_newline_stop_the_host()
    {
        var options = new SearchPoolOptions
        {
            Services = [new SearchServiceOptions { Name = "srch-a\n", Endpoint = new Uri("https://srch-a.search.windows.net/"), IndexCapacity = 50 }],
            GrowthNamePrefix = "grown\n",
        };

        var result = new SearchPoolOptionsValidation().Validate(null, options);

        Assert.Contains("Memic:Search:Services:0:Name", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Memic:Search:GrowthNamePrefix", result.FailureMessage, StringComparison.Ordinal);
    }
}
