using Memic.Azure.Blobs;
using Memic.Azure.Catalog;
using Memic.Core.Ports;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Memic.Azure.Tests;

/// <summary>Settings are checked when the host starts, and a bad one is named in the message.</summary>
public sealed class StorageSettingsTests
{
    [Theory]
    [InlineData(null, null, "Memic:Blobs:ServiceUri (managed identity) or Memic:Blobs:ConnectionString (Azurite) must be set.")]
    [InlineData("https://acct.blob.core.windows.net", "UseDevelopmentStorage=true", "Set only one of Memic:Blobs:ServiceUri and Memic:Blobs:ConnectionString.")]
    [InlineData("http://acct.blob.core.windows.net", null, "Memic:Blobs:ServiceUri must be an absolute https URI")]
    [InlineData(null, "DefaultEndpointsProtocol=https;AccountName=prod;AccountKey=a2V5;EndpointSuffix=core.windows.net", "Memic:Blobs:ConnectionString is accepted for Azurite only")]
    public void Blob_settings_that_cannot_work_stop_the_host_naming_the_setting(string? serviceUri, string? connectionString, string message)
    {
        var services = Services(("Memic:Blobs:ServiceUri", serviceUri), ("Memic:Blobs:ConnectionString", connectionString)).AddAzureBlobStore(Configuration);

        var error = Assert.Throws<OptionsValidationException>(() => services.BuildServiceProvider().GetRequiredService<IOptions<AzureBlobOptions>>().Value);

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://acct.table.core.windows.net", null)]
    [InlineData(null, "UseDevelopmentStorage=true")]
    [InlineData(null, Azurite.ConnectionString)]
    [InlineData(null, "DefaultEndpointsProtocol=http;AccountName=dev;AccountKey=a2V5;TableEndpoint=http://localhost:10002/dev;")]
    public void Managed_identity_or_Azurite_settings_are_accepted(string? serviceUri, string? connectionString)
    {
        var provider = Services(("Memic:Catalog:ServiceUri", serviceUri), ("Memic:Catalog:ConnectionString", connectionString))
            .AddAzureTableCatalog(Configuration).BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<AzureTableOptions>>().Value;

        Assert.Equal("Memic", options.TablePrefix);
        Assert.Same(provider.GetRequiredService<ITenancyCatalog>(), provider.GetRequiredService<IPromptCatalog>());
        Assert.IsType<AzureTableCatalog>(provider.GetRequiredService<IFileCatalog>());
    }

    [Theory]
    [InlineData(null, null, "Memic:Catalog:ServiceUri (managed identity) or Memic:Catalog:ConnectionString (Azurite) must be set.")]
    [InlineData(null, "UseDevelopmentStorage=true", "Memic:Catalog:TablePrefix must be")]
    public void Catalog_settings_that_cannot_work_stop_the_host_naming_the_setting(string? serviceUri, string? connectionString, string message)
    {
        var services = Services(("Memic:Catalog:ServiceUri", serviceUri), ("Memic:Catalog:ConnectionString", connectionString), ("Memic:Catalog:TablePrefix", "memic-prod"))
            .AddAzureTableCatalog(Configuration);
        if (connectionString is null)
        {
            services.Configure<AzureTableOptions>(o => o.TablePrefix = "Memic");
        }

        var error = Assert.Throws<OptionsValidationException>(() => services.BuildServiceProvider().GetRequiredService<IOptions<AzureTableOptions>>().Value);

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Blob_store_is_registered_for_the_port()
    {
        var provider = Services(("Memic:Blobs:ConnectionString", "UseDevelopmentStorage=true")).AddAzureBlobStore(Configuration).BuildServiceProvider();

        Assert.IsType<AzureBlobStore>(provider.GetRequiredService<IBlobStore>());
    }

    private IConfiguration Configuration { get; set; } = new ConfigurationBuilder().Build();

    private ServiceCollection Services(params (string Key, string? Value)[] settings)
    {
        Configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Where(s => s.Value is not null).Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build();
        return [];
    }
}
