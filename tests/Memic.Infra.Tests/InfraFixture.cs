using Memic.Infra.Tests.Arm;
using Memic.Infra.Tests.Bicep;

[assembly: AssemblyFixture(typeof(Memic.Infra.Tests.InfraFixture))]

namespace Memic.Infra.Tests;

/// <summary>Builds and lints infra/ once per test run; tests read the results.</summary>
public sealed class InfraFixture : IAsyncLifetime
{
    public const string EnvironmentName = "memic-test";
    public const string Location = "westeurope";
    public const string DeployerPrincipalId = "11111111-2222-3333-4444-555555555555";

    private readonly string _outputDirectory = Path.Combine(Path.GetTempPath(), "memic-infra-tests", Guid.NewGuid().ToString("n"));

    internal BicepRun Build { get; private set; } = null!;

    internal BicepRun Lint { get; private set; } = null!;

    /// <summary>Path of the ARM JSON compiled from an infra/ Bicep file, e.g. "modules/storage.bicep".</summary>
    public string CompiledPath(string bicepFile) =>
        Path.Combine(_outputDirectory, Path.ChangeExtension(bicepFile, ".json"));

    internal Dictionary<string, object?> Template(string bicepFile) => ArmDeployment.Load(CompiledPath(bicepFile));

    /// <summary>What main.bicep deploys with azd's parameters plus <paramref name="overrides"/>.</summary>
    internal ArmDeployment DeployMain(IReadOnlyDictionary<string, object?>? overrides = null)
    {
        var parameters = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase)
        {
            ["environmentName"] = EnvironmentName,
            ["location"] = Location,
            ["principalId"] = DeployerPrincipalId,
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, object?>())
        {
            parameters[key] = value;
        }

        return ArmDeployment.Evaluate(Template("main.bicep"), parameters, DeploymentScope.Subscription(Location));
    }

    /// <summary>What search-service.bicep deploys into a resource group.</summary>
    internal ArmDeployment DeploySearchService(IReadOnlyDictionary<string, object?> parameters) =>
        ArmDeployment.Evaluate(
            Template("search-service.bicep"),
            parameters,
            DeploymentScope.Subscription(Location).InResourceGroup($"rg-{EnvironmentName}"));

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_outputDirectory);
        var cancellationToken = TestContext.Current.CancellationToken;
        var build = BicepCli.BuildAllAsync(_outputDirectory, cancellationToken);
        var lint = BicepCli.LintAllAsync(cancellationToken);
        Build = await build;
        Lint = await lint;
    }

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_outputDirectory, recursive: true);
        return ValueTask.CompletedTask;
    }
}
