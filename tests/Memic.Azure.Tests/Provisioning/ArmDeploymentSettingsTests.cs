using Memic.Azure.Provisioning;
using Memic.Azure.Search.Pool;
using Memic.Core.Ports;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Memic.Azure.Tests.Provisioning;

/// <summary>The deployer's settings are checked when the host starts, and a bad one is named in the message.</summary>
public sealed class ArmDeploymentSettingsTests
{
    private static readonly (string, string?)[] Valid =
    [
        ("Memic:Search:Deployment:SubscriptionId", "6f1c3e2a-0b7d-4c5e-9f10-2a3b4c5d6e7f"),
        ("Memic:Search:Deployment:ResourceGroup", "rg-memic-prod"),
    ];

    [Theory]
    [InlineData("Memic:Search:Deployment:SubscriptionId", null, "Memic:Search:Deployment:SubscriptionId must be set")]
    [InlineData("Memic:Search:Deployment:SubscriptionId", "not-a-guid", "Memic:Search:Deployment:SubscriptionId must be a GUID")]
    [InlineData("Memic:Search:Deployment:ResourceGroup", null, "Memic:Search:Deployment:ResourceGroup must be set")]
    [InlineData("Memic:Search:Deployment:Sku", "premium", "Memic:Search:Deployment:Sku must be one of")]
    [InlineData("Memic:Search:Deployment:PartitionCount", "5", "Memic:Search:Deployment:PartitionCount must be one of")]
    [InlineData("Memic:Search:Deployment:ReplicaCount", "13", "Memic:Search:Deployment:ReplicaCount must be between 1 and 12")]
    [InlineData("Memic:Search:Deployment:HostingMode", "HighDensity", "Memic:Search:Deployment:HostingMode HighDensity needs")]
    [InlineData("Memic:Search:Deployment:ArmEndpoint", "http://management.azure.com", "Memic:Search:Deployment:ArmEndpoint must be an absolute https URI")]
    public void Settings_that_cannot_work_stop_the_host_naming_the_setting(string key, string? value, string message)
    {
        var provider = Services(Valid.Where(s => s.Item1 != key).Append((key, value)).ToArray()).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ArmDeploymentOptions>>().Value);

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_deploy_a_basic_service_through_public_arm()
    {
        var options = Services(Valid).BuildServiceProvider().GetRequiredService<IOptions<ArmDeploymentOptions>>().Value;

        Assert.Equal("basic", options.Sku);
        Assert.Equal(1, options.ReplicaCount);
        Assert.Equal(1, options.PartitionCount);
        Assert.Equal(new Uri("https://management.azure.com"), options.ArmEndpoint);
        Assert.Equal("rg-memic-prod", options.ResourceGroup);
    }

    [Fact]
    public void Arm_deployer_is_registered_for_the_port()
    {
        var services = Services(Valid);

        // Checked on the registration, not by resolving: resolving would build a credential for a real subscription.
        var registration = Assert.Single(services, d => d.ServiceType == typeof(ISearchServiceDeployer));

        Assert.Equal(typeof(ArmSearchServiceDeployer), registration.ImplementationType);
        Assert.Equal(ServiceLifetime.Singleton, registration.Lifetime);
    }

    private static IServiceCollection Services(params (string Key, string? Value)[] settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();
        return new ServiceCollection().AddArmSearchServiceDeployer(configuration);
    }
}
