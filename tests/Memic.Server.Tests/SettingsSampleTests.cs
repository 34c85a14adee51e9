using System.Reflection;
using System.Text.Json;
using Memic.Azure.Blobs;
using Memic.Azure.Catalog;
using Memic.Azure.KeyVault;
using Memic.Azure.Queues;
using Memic.Core.Chat;
using Memic.Core.Embeddings;
using Memic.Core.Files;
using Memic.Core.Keys;
using Memic.Embedded;
using Memic.Embedded.Ingestion;
using Memic.Http.RateLimiting;

namespace Memic.Server.Tests;

/// <summary>local.settings.sample.json lists every setting the code reads, so an operator can see them all in one place.</summary>
public sealed class SettingsSampleTests
{
    public static TheoryData<Type, string> OptionsClasses => new()
    {
        { typeof(KeyVerificationOptions), KeyVerificationOptions.Section },
        { typeof(RateLimitOptions), RateLimitOptions.Section },
        { typeof(UploadOptions), UploadOptions.Section },
        { typeof(IngestionWorkerOptions), IngestionWorkerOptions.Section },
        { typeof(EmbeddedOptions), EmbeddedOptions.Section },
        { typeof(ChatModelOptions), ChatModelOptions.Section },
        { typeof(EmbeddingModelOptions), EmbeddingModelOptions.Section },
        { typeof(AzureBlobOptions), AzureBlobOptions.Section },
        { typeof(AzureTableOptions), AzureTableOptions.Section },
        { typeof(KeyVaultOptions), KeyVaultOptions.Section },
        { typeof(AzureQueueOptions), AzureQueueOptions.Section },
    };

    [Theory]
    [MemberData(nameof(OptionsClasses))]
    public void Every_bound_option_appears_in_the_sample(Type options, string section)
    {
        var sample = SampleSettingNames();
        var settable = options.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite);

        Assert.All(settable, property => Assert.Contains($"{section.Replace(":", "__", StringComparison.Ordinal)}__{property.Name}", sample));
    }

    [Fact]
    public void Sample_lists_the_short_variables_of_the_local_host()
    {
        var sample = SampleSettingNames();

        Assert.Contains("MEMIC_DATA_DIR", sample);
        Assert.Contains("MEMIC_ADMIN_KEY", sample);
        Assert.Contains("Memic__Blobs__Provider", sample);
        Assert.Contains("Memic__Catalog__Provider", sample);
        Assert.Contains("Memic__Keys__Provider", sample);
        Assert.Contains("Memic__Embeddings__Provider", sample);
        Assert.Contains(Ingestion.DependencyInjection.OcrEnabledSetting.Replace(":", "__", StringComparison.Ordinal), sample);
    }

    private static HashSet<string> SampleSettingNames()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(ServerProcess.RepositoryRoot, "local.settings.sample.json")));
        return [.. document.RootElement.GetProperty("Values").EnumerateObject().Select(p => p.Name)];
    }
}
