using System.Text.RegularExpressions;
using Azure.Core;
using Azure.Identity;
using Memic.Azure.Blobs;
using Memic.Azure.Catalog;
using Memic.Azure.Identity;
using Memic.Azure.KeyVault;
using Memic.Azure.Provisioning;
using Memic.Azure.Queues;
using Memic.Core.Keys;
using Memic.Functions;
using Memic.Functions.Ingestion;
using Memic.Infra.Tests.Arm;
using Memic.Tests;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Memic.Infra.Tests;

/// <summary>
/// The Functions app composed exactly as Program.cs does, from exactly the app settings main.bicep gives it (values
/// only a deployment knows replaced by samples, Key Vault references by the secrets they name), as process
/// environment variables the way App Service delivers them, beside the platform's managed-identity endpoint. Guards
/// against infra and code disagreeing: a setting the code needs that infra does not set, or an identity that infra
/// assigns and the code does not use.
/// </summary>
public sealed partial class DeployedSettingsCompositionTests(InfraFixture infra)
{
    /// <summary>The user-assigned identity's client id, as the identity module's output would give it.</summary>
    private const string IdentityClientId = "5d0c6a1e-3b2f-4c8d-9e7a-6f5b4c3d2e1f";

    /// <summary>Module outputs (by module and output) and resource properties (by type and property path) as deployed.</summary>
    private static readonly Dictionary<(string Source, string Value), string> Deployed = new()
    {
        [("identity", "clientId")] = IdentityClientId,
        [("storage", "name")] = "stsample",
        [("storage", "blobEndpoint")] = "https://stsample.blob.core.windows.net/",
        [("storage", "tableEndpoint")] = "https://stsample.table.core.windows.net/",
        [("key-vault", "uri")] = "https://kv-sample.vault.azure.net/",
        [("search-service", "name")] = "srch-sample",
        [("search-service", "endpoint")] = "https://srch-sample.search.windows.net",
        [("search-service", "indexCapacity")] = "15",
        [("openai", "endpoint")] = "https://oai-sample.openai.azure.com/",
        [("openai", "embeddingDeploymentName")] = "text-embedding-3-small",
        [("openai", "chatDeploymentName")] = "gpt-4o-mini",
        [("monitoring", "applicationInsightsName")] = "appi-sample",
        [("Microsoft.Storage/storageAccounts", "primaryEndpoints.blob")] = "https://stsample.blob.core.windows.net/",
        [("Microsoft.Storage/storageAccounts", "primaryEndpoints.queue")] = "https://stsample.queue.core.windows.net/",
        [("Microsoft.Storage/storageAccounts", "primaryEndpoints.table")] = "https://stsample.table.core.windows.net/",
        [("Microsoft.Insights/components", "ConnectionString")] =
            "InstrumentationKey=00000000-0000-0000-0000-000000000001;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/",
    };

    /// <summary>Secrets behind the app's Key Vault references, by setting.</summary>
    private static readonly Dictionary<string, string> Secrets = new()
    {
        ["MEMIC_ADMIN_KEY"] = ApiKeyFormat.NewAdminKey(),
    };

    [Fact]
    public async Task The_functions_app_starts_on_the_deployed_settings_with_every_client_on_the_user_assigned_identity()
    {
        var settings = DeployedSettings();
        await using var identity = new AppServiceIdentityEndpoint();
        using var environment = new ProcessEnvironment(settings.Concat(identity.Environment()));

        var (app, registrations) = BuildWorker();
        using var _ = app;

        // Every ValidateOnStart registration, as the host runs them before it starts.
        app.Services.GetRequiredService<IStartupValidator>().Validate();
        ResolveEveryMemicService(app.Services, registrations);
        Assert.Equal(IdentityClientId, app.Services.GetRequiredService<IOptions<AzureIdentityOptions>>().Value.ManagedIdentityClientId);
        Assert.Equal(new Uri("https://stsample.blob.core.windows.net/"), app.Services.GetRequiredService<IOptions<AzureBlobOptions>>().Value.ServiceUri);
        Assert.Equal(new Uri("https://stsample.table.core.windows.net/"), app.Services.GetRequiredService<IOptions<AzureTableOptions>>().Value.ServiceUri);
        Assert.Equal(new Uri("https://stsample.queue.core.windows.net/"), app.Services.GetRequiredService<IOptions<AzureQueueOptions>>().Value.ServiceUri);
        Assert.Equal(new Uri("https://kv-sample.vault.azure.net/"), app.Services.GetRequiredService<IOptions<KeyVaultOptions>>().Value.VaultUri);
        Assert.Equal(Secrets["MEMIC_ADMIN_KEY"], app.Services.GetRequiredService<IOptions<KeyVerificationOptions>>().Value.AdminKey);

        // The one credential every client is built with (Memic.Azure.Tests prove there is no other) asks the
        // platform's endpoint for the user-assigned identity, for each audience the clients use.
        var credential = app.Services.GetRequiredService<TokenCredential>();
        var arm = app.Services.GetRequiredService<IOptions<ArmDeploymentOptions>>().Value.ArmEndpoint.GetLeftPart(UriPartial.Authority);
        string[] audiences = ["https://storage.azure.com", "https://vault.azure.net", "https://search.azure.com", arm, "https://cognitiveservices.azure.com"];
        foreach (var audience in audiences)
        {
            await credential.GetTokenAsync(new TokenRequestContext([$"{audience}/.default"]), TestContext.Current.CancellationToken);
        }

        Assert.IsType<ManagedIdentityCredential>(credential);
        Assert.Equal(audiences.Select(a => a.TrimEnd('/')).Order(), identity.Requests.Select(r => r.Resource!.TrimEnd('/')).Order());
        Assert.All(identity.Requests, request => Assert.Equal(IdentityClientId, request.ClientId));
    }

    [Fact]
    public void Every_setting_value_is_a_plain_string_once_deployed()
    {
        var settings = DeployedSettings();

        Assert.All(settings, setting => Assert.DoesNotContain("reference(", setting.Value, StringComparison.Ordinal));
        Assert.Equal(IdentityClientId, settings["AZURE_CLIENT_ID"]);
    }

    /// <summary>As Program.cs builds it; the configuration is what the process environment holds.</summary>
    private static (IHost App, IServiceCollection Registrations) BuildWorker()
    {
        var builder = FunctionsApplication.CreateBuilder([]);
        builder.ConfigureFunctionsWebApplication();
        builder.UseMemicHttpErrors();
        builder.Services.AddMemicFunctionsApp(builder.Configuration);
        return (builder.Build(), builder.Services);
    }

    /// <summary>Every registration of Memic's own, and every function class, resolves: nothing missing, no cycle.</summary>
    private static void ResolveEveryMemicService(IServiceProvider services, IServiceCollection registered)
    {
        var registrations = services.GetRequiredService<IServiceProviderIsService>();
        var memic = typeof(FunctionsComposition).Assembly.GetReferencedAssemblies().Where(a => a.Name!.StartsWith("Memic.", StringComparison.Ordinal))
            .Select(a => a.Name!).Append(typeof(FunctionsComposition).Assembly.GetName().Name!).ToHashSet();
        // Memic's own hosted services are built, not started: starting them reaches Table Storage. The worker's own
        // need the gRPC endpoint the Functions host passes on its command line.
        var hostedServices = registered
            .Where(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType is { } type && memic.Contains(type.Assembly.GetName().Name!))
            .Select(d => ActivatorUtilities.CreateInstance(services, d.ImplementationType!))
            .ToList();
        Assert.Contains(hostedServices, s => s.GetType().Name == "DefaultProjectSetup");
        var functionClasses = typeof(IngestionFunctions).Assembly.GetExportedTypes()
            .Where(t => t.GetMethods().Any(m => m.GetCustomAttributes(typeof(FunctionAttribute), inherit: false).Length > 0))
            .ToList();
        Assert.NotEmpty(functionClasses);
        Assert.All(functionClasses, type => Assert.NotNull(ActivatorUtilities.CreateInstance(services, type)));
        var memicTypes = typeof(FunctionsComposition).Assembly.GetExportedTypes()
            .Concat(typeof(AzureBlobStore).Assembly.GetExportedTypes())
            .Concat(typeof(KeyVerificationOptions).Assembly.GetExportedTypes())
            .Where(t => t.IsInterface && !t.IsGenericTypeDefinition && memic.Contains(t.Assembly.GetName().Name!) && registrations.IsService(t));
        Assert.All(memicTypes, type => Assert.NotNull(services.GetRequiredService(type)));
    }

    /// <summary>The function app's app settings, with what only a deployment knows replaced by samples.</summary>
    private Dictionary<string, string> DeployedSettings()
    {
        var deployment = infra.DeployMain();
        var app = Assert.Single(deployment.OfType("Microsoft.Web/sites"));
        var settings = Assert.Single(deployment.OfType("Microsoft.Web/sites/config"), c => Equals(c.Name, $"{app.Name}/appsettings")).Properties;
        return settings.ToDictionary(s => s.Key, s => Deploy(s.Key, s.Value), StringComparer.Ordinal);
    }

    private static string Deploy(string name, object? value)
    {
        var text = ArmValue.ToArmString(value);
        if (text.StartsWith("@Microsoft.KeyVault(", StringComparison.Ordinal))
        {
            return Secrets.TryGetValue(name, out var secret) ? secret : throw new InvalidOperationException($"{name} is a Key Vault reference with no sample secret here.");
        }

        if (value is not Opaque)
        {
            return text;
        }

        text = ModuleOutput().Replace(text, m => Sample(m.Groups["module"].Value, m.Groups["output"].Value));
        text = ResourceProperty().Replace(text, m => Sample(m.Groups["type"].Value, m.Groups["path"].Value));
        text = StringOf().Replace(text, m => m.Groups["inner"].Value);
        return text.Contains('(', StringComparison.Ordinal)
            ? throw new InvalidOperationException($"{name} = {text}: an expression this test cannot stand a deployed value in for.")
            : text;
    }

    private static string Sample(string source, string value) =>
        Deployed.TryGetValue((source, value), out var sample) ? sample : throw new InvalidOperationException($"No sample for {source} {value}.");

    [GeneratedRegex(@"reference\('[^']*/providers/Microsoft\.Resources/deployments/(?<module>[^']+)', '[^']+'\)\.outputs\.(?<output>\w+)\.value")]
    private static partial Regex ModuleOutput();

    [GeneratedRegex(@"reference\(resourceId\('(?<type>[^']+)', [^()]+\), '[^']+'\)\.(?<path>[\w.]+)")]
    private static partial Regex ResourceProperty();

    [GeneratedRegex(@"^string\((?<inner>[^()]*)\)$")]
    private static partial Regex StringOf();

    /// <summary>Sets process environment variables for the test and puts back what was there before.</summary>
    private sealed class ProcessEnvironment : IDisposable
    {
        private readonly Dictionary<string, string?> _previous = new(StringComparer.Ordinal);

        public ProcessEnvironment(IEnumerable<KeyValuePair<string, string>> variables)
        {
            foreach (var (name, value) in variables)
            {
                _previous.TryAdd(name, Environment.GetEnvironmentVariable(name));
                Environment.SetEnvironmentVariable(name, value);
            }
        }

        public void Dispose()
        {
            foreach (var (name, value) in _previous)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }
    }
}
