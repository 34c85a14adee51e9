using System.Text.Json;

namespace Memic.Functions.Tests;

/// <summary>local.settings.sample.json (the Functions app's local settings, comment-free) lists what this app reads.</summary>
public sealed class SettingsSampleTests
{
    [Theory]
    [InlineData("FUNCTIONS_WORKER_RUNTIME")]
    [InlineData("AzureWebJobsStorage")]
    [InlineData("MEMIC_ADMIN_KEY")]
    [InlineData("Memic__Blobs__ServiceUri")]
    [InlineData("Memic__Catalog__ServiceUri")]
    [InlineData("Memic__Keys__VaultUri")]
    [InlineData("Memic__IngestionQueue__ServiceUri")]
    [InlineData("Memic__IngestionQueue__ConnectionString")]
    [InlineData("Memic__Azure__ManagedIdentityClientId")]
    [InlineData("Memic__IngestionQueue__ConfirmDelay")]
    [InlineData("Memic__IngestionQueue__StallThreshold")]
    [InlineData("Memic__Embeddings__Provider")]
    [InlineData("Memic__Chat__Provider")]
    public void The_sample_lists_the_setting(string name)
    {
        using var sample = JsonDocument.Parse(File.ReadAllText(Path.Combine(BuildOutput.RepositoryRoot, "local.settings.sample.json")));

        Assert.True(sample.RootElement.GetProperty("Values").TryGetProperty(name, out _), $"{name} is missing from local.settings.sample.json");
    }

    [Fact]
    public void The_worker_runtime_is_the_isolated_worker()
    {
        using var sample = JsonDocument.Parse(File.ReadAllText(Path.Combine(BuildOutput.RepositoryRoot, "local.settings.sample.json")));

        Assert.Equal("dotnet-isolated", sample.RootElement.GetProperty("Values").GetProperty("FUNCTIONS_WORKER_RUNTIME").GetString());
    }
}
