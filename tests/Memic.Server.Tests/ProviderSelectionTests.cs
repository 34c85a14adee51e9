namespace Memic.Server.Tests;

/// <summary>Adapters are chosen by <c>Memic:&lt;Port&gt;:Provider</c>; a wrong or incomplete choice stops start-up with a message naming the setting.</summary>
public sealed class ProviderSelectionTests
{
    [Theory]
    [InlineData("Memic:Blobs:Provider", "S3", "Memic:Blobs:Provider must be 'Embedded' or 'AzureBlob'")]
    [InlineData("Memic:Catalog:Provider", "Postgres", "Memic:Catalog:Provider must be 'Embedded' or 'AzureTable'")]
    [InlineData("Memic:Keys:Provider", "Vault", "Memic:Keys:Provider must be 'Embedded' or 'KeyVault'")]
    [InlineData("Memic:Keys:Provider", "KeyVault", "Memic:Keys:VaultUri")]
    [InlineData("Memic:Blobs:Provider", "AzureBlob", "Memic:Blobs:ServiceUri")]
    [InlineData("Memic:Search:Provider", "Elastic", "Memic:Search:Provider must be 'Embedded' or 'AzureAISearch'")]
    [InlineData("Memic:Search:Provider", "AzureAISearch", "Memic:Search:Services")]
    [InlineData("Memic:Search:Provider", "AzureAISearch", "needs Memic:Catalog:Provider=AzureTable")]
    public void Wrong_or_incomplete_provider_setting_stops_start_up_naming_the_setting(string setting, string value, string expected)
    {
        using var server = new MemicServerFactory { Settings = new Dictionary<string, string> { [setting] = value } };

        var error = server.StartupFailure();

        Assert.Contains(expected, Flatten(error), StringComparison.Ordinal);
    }

    private static string Flatten(Exception error) =>
        string.Join(" | ", Enumerable.Repeat(error, 1).Concat(error is AggregateException aggregate ? aggregate.Flatten().InnerExceptions : [])
            .SelectMany(e => new[] { e.Message, e.InnerException?.Message ?? "" }));
}
