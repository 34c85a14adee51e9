using Memic.Azure.Search;
using Memic.Azure.Search.Pool;
using Memic.Core.Ports;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Memic.Azure.Tests.Search;

/// <summary>The adapter's settings come from <c>Memic:Search</c>, are checked on start, and a bad one is named.</summary>
public sealed class AzureAISearchSettingsTests
{
    [Theory]
    [InlineData("Memic:Search:MaxRetries", "-1", "Memic:Search:MaxRetries must be between 0 and 20")]
    [InlineData("Memic:Search:MaxRetries", "50", "Memic:Search:MaxRetries must be between 0 and 20")]
    [InlineData("Memic:Search:RetryDelay", "00:00:00", "Memic:Search:RetryDelay must be a positive duration")]
    [InlineData("Memic:Search:MaxRetryDelay", "01:00:00", "Memic:Search:MaxRetryDelay must be a positive duration")]
    [InlineData("Memic:Search:MaxServerRetryDelay", "-00:00:01", "Memic:Search:MaxServerRetryDelay must be a positive duration")]
    public void A_setting_that_cannot_work_stops_the_host_naming_it(string key, string value, string message)
    {
        var provider = Services((key, value)).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<AzureAISearchOptions>>().Value);

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_need_no_setting_and_the_section_is_shared_with_the_pool_settings()
    {
        var provider = Services(
            ("Memic:Search:Provider", "AzureAISearch"),
            ("Memic:Search:Services:0:Name", "memic-search-1"),
            ("Memic:Search:MaxRetries", "3")).BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<AzureAISearchOptions>>().Value;

        Assert.Equal(3, options.MaxRetries);
        Assert.Equal(TimeSpan.FromSeconds(60), options.MaxServerRetryDelay);
    }

    [Fact]
    public void The_adapter_is_registered_for_the_port_and_resolves_with_the_registered_locator()
    {
        var services = Services();
        services.AddSingleton<ISearchServiceLocator>(new FakeLocator(new Uri("https://memic-search-1.search.windows.net")));
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));

        // Resolving builds a DefaultAzureCredential, which asks for no token until the first request.
        var index = services.BuildServiceProvider().GetRequiredService<ISearchIndex>();

        Assert.IsType<AzureAISearchIndex>(index);
        Assert.Equal(ServiceLifetime.Singleton, Assert.Single(services, d => d.ServiceType == typeof(ISearchIndex)).Lifetime);
    }

    [Fact]
    public void Every_setting_the_adapter_reads_is_in_the_local_settings_sample()
    {
        var sample = File.ReadAllText(Path.Combine(RepositoryRoot(), "local.settings.sample.json"));

        foreach (var setting in typeof(AzureAISearchOptions).GetProperties().Select(p => p.Name))
        {
            Assert.Contains($"\"Memic__Search__{setting}\"", sample, StringComparison.Ordinal);
        }
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "local.settings.sample.json")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("The repository root was not found above the test binaries.");
    }

    private static IServiceCollection Services(params (string Key, string? Value)[] settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();
        return new ServiceCollection().AddAzureAISearchIndex(configuration);
    }
}
