using Azure.Core;
using Azure.Identity;
using Memic.Azure.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Memic.Azure.Tests.Identity;

/// <summary>One credential for every Azure client, for the identity AZURE_CLIENT_ID names unless Memic:Azure overrides it.</summary>
public sealed class AzureCredentialTests
{
    private const string InfraIdentity = "11111111-2222-3333-4444-555555555555";
    private const string OtherIdentity = "66666666-7777-8888-9999-000000000000";

    [Fact]
    public void Without_an_override_the_identity_is_the_one_AZURE_CLIENT_ID_names()
    {
        using var services = Build(("AZURE_CLIENT_ID", InfraIdentity));

        var options = services.GetRequiredService<IOptions<AzureIdentityOptions>>().Value;

        Assert.Equal(InfraIdentity, options.ManagedIdentityClientId);
    }

    [Fact]
    public void Memic_Azure_ManagedIdentityClientId_overrides_AZURE_CLIENT_ID()
    {
        using var services = Build(("AZURE_CLIENT_ID", InfraIdentity), ("Memic:Azure:ManagedIdentityClientId", OtherIdentity));

        var options = services.GetRequiredService<IOptions<AzureIdentityOptions>>().Value;

        Assert.Equal(OtherIdentity, options.ManagedIdentityClientId);
    }

    [Fact]
    public void With_no_client_id_anywhere_the_system_assigned_identity_is_asked_for()
    {
        using var services = Build(("AZURE_CLIENT_ID", " "), ("Memic:Azure:ManagedIdentityClientId", ""));

        var options = services.GetRequiredService<IOptions<AzureIdentityOptions>>().Value;

        Assert.Null(options.ManagedIdentityClientId);
    }

    [Theory]
    [InlineData("Memic:Blobs:ClientId")]
    [InlineData("Memic:Catalog:ClientId")]
    [InlineData("Memic:Keys:ClientId")]
    [InlineData("Memic:Search:ClientId")]
    [InlineData("Memic:Search:Deployment:ClientId")]
    [InlineData("Memic:IngestionQueue:ClientId")]
    public void A_retired_per_adapter_client_id_stops_start_up_naming_its_replacement(string retired)
    {
        using var services = Build((retired, OtherIdentity));

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(retired, error.Message, StringComparison.Ordinal);
        Assert.Contains("Memic:Azure:ManagedIdentityClientId", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_Azure_adapter_shares_one_credential_built_once()
    {
        var composition = ComposeEveryAdapter(("AZURE_CLIENT_ID", InfraIdentity));
        using var services = composition.BuildServiceProvider();

        var credential = services.GetRequiredService<TokenCredential>();

        Assert.Single(composition, d => d.ServiceType == typeof(TokenCredential));
        Assert.Same(credential, services.GetRequiredService<TokenCredential>());
    }

    [Theory]
    [InlineData("IDENTITY_ENDPOINT")]
    [InlineData("MSI_ENDPOINT")]
    public void Where_the_platform_runs_a_managed_identity_endpoint_only_the_managed_identity_is_tried(string variable)
    {
        var credential = AzureCredentials.Create(InfraIdentity, name => name == variable ? "http://127.0.0.1:41234/msi/token" : null);

        Assert.IsType<ManagedIdentityCredential>(credential);
    }

    [Fact]
    public void Elsewhere_the_default_chain_lets_a_developer_login_work()
    {
        var credential = AzureCredentials.Create(null, _ => null);

        Assert.IsType<DefaultAzureCredential>(credential);
    }

    [Fact]
    public void No_Azure_code_builds_a_credential_of_its_own()
    {
        var source = Path.Combine(RepositoryRoot(), "src");
        var factory = Path.Combine(source, "Memic.Azure", "Identity", "AzureCredentials.cs");
        string[] forbidden = ["new DefaultAzureCredential", "new ManagedIdentityCredential", "DefaultAzureCredentialOptions", "new AzureCliCredential"];

        var offenders = Directory.EnumerateFiles(source, "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal) && path != factory)
            .Where(path => forbidden.Any(File.ReadAllText(path).Contains))
            .ToList();

        Assert.Empty(offenders);
    }

    private static ServiceProvider Build(params (string Key, string? Value)[] settings) =>
        new ServiceCollection().AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance).AddAzureCredential(Configuration(settings)).BuildServiceProvider();

    /// <summary>Every Azure adapter that authenticates, as the hosts register them.</summary>
    private static IServiceCollection ComposeEveryAdapter(params (string Key, string? Value)[] settings)
    {
        var configuration = Configuration(settings);
        return new ServiceCollection()
            .AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance)
            .AddSingleton<IConfiguration>(configuration)
            .AddAzureBlobStore(configuration)
            .AddAzureTableCatalog(configuration)
            .AddKeyVaultKeyStore(configuration)
            .AddAzureStorageIngestionQueue(configuration)
            .AddAzureAISearchIndex(configuration)
            .AddArmSearchServiceDeployer(configuration)
            .AddOpenAIEmbeddings()
            .AddOpenAIChat();
    }

    private static IConfiguration Configuration((string Key, string? Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Memic.Functions.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("The repository root was not found above the test binaries.");
    }
}
