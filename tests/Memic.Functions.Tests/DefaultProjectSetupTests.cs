using Memic.Azure;
using Memic.Core.Ports;
using Memic.Core.Tenancy;
using Memic.Embedded;
using Memic.Embedded.Embeddings;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Memic.Functions.Tests;

/// <summary>The worker's start makes the default organization and project, so a signup can create an environment by slug alone.</summary>
public sealed class DefaultProjectSetupTests : IDisposable
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("memic-functions-setup-").FullName;

    // Letters only, unique per run: the catalog's tables in Azurite belong to this test alone.
    private readonly string _tablePrefix = "Setup" + new string(Guid.NewGuid().ToString("N").Where(char.IsLetter).Take(10).ToArray());

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    [Fact]
    public async Task Instances_starting_together_make_one_default_project_and_no_environment()
    {
        await Azurite.RequireAsync();
        var instances = Enumerable.Range(0, 4).Select(_ => Instance()).ToList();

        await Task.WhenAll(instances.Select(services =>
            Task.Run(() => services.GetServices<IHostedService>().OfType<DefaultProjectSetup>().Single().StartAsync(TestContext.Current.CancellationToken))));

        var catalog = instances[0].GetRequiredService<ITenancyCatalog>();
        var organization = Assert.IsType<Organization>(await catalog.GetDefaultOrganizationAsync(TestContext.Current.CancellationToken));
        var project = Assert.IsType<Project>(await catalog.GetDefaultProjectAsync(TestContext.Current.CancellationToken));
        Assert.Equal(organization.Id, project.OrganizationId);
        Assert.Single(await catalog.ListProjectsAsync(organization.Id, TestContext.Current.CancellationToken));
        Assert.Empty(await catalog.ListEnvironmentsAsync(TestContext.Current.CancellationToken));

        var created = await instances[1].GetRequiredService<EnvironmentService>().CreateAsync("acme", null, projectId: null, TestContext.Current.CancellationToken);
        Assert.Equal(project.Id, created.Environment.ProjectId);
        foreach (var services in instances)
        {
            await services.DisposeAsync();
        }
    }

    /// <summary>One worker instance: its own process state, the shared catalog in Azurite's Table Storage.</summary>
    private ServiceProvider Instance()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Memic:DataDirectory"] = _dataDirectory,
            ["Memic:Keys:AdminKey"] = Core.Keys.ApiKeyFormat.NewAdminKey(),
            ["Memic:Blobs:ConnectionString"] = Azurite.ConnectionString,
            ["Memic:Catalog:ConnectionString"] = Azurite.ConnectionString,
            ["Memic:Catalog:TablePrefix"] = _tablePrefix,
        }).Build();
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IConfiguration>(configuration)
            .AddSingleton<IIngestionQueue>(new RecordingIngestionQueue())
            .AddAzureBlobStore(configuration)
            .AddAzureTableCatalog(configuration)
            .AddMemicFunctionServices(configuration)
            .AddEmbeddedCatalogAndKeys(configuration)
            .AddEmbeddedSearchIndex()
            .AddMiniLmEmbeddings()
            .AddInProcessProvisioning();
        services.AddHostedService<DefaultProjectSetup>();
        return services.BuildServiceProvider();
    }
}
