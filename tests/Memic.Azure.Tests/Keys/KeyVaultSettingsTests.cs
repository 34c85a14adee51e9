using Memic.Azure.KeyVault;
using Memic.Core.Ports;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Memic.Azure.Tests.Keys;

/// <summary>The key store's settings are checked when the host starts, and a bad one is named in the message.</summary>
public sealed class KeyVaultSettingsTests
{
    [Theory]
    [InlineData(null, "Memic:Keys:VaultUri must be set")]
    [InlineData("http://memic.vault.azure.net", "Memic:Keys:VaultUri must be an absolute https URI")]
    public void Vault_settings_that_cannot_work_stop_the_host_naming_the_setting(string? vaultUri, string message)
    {
        var provider = Services(("Memic:Keys:VaultUri", vaultUri)).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<KeyVaultOptions>>().Value);

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Vault_settings_are_read_from_the_keys_section_beside_verification_settings()
    {
        var provider = Services(
            ("Memic:Keys:VaultUri", "https://memic.vault.azure.net"),
            ("Memic:Keys:PositiveCacheTtl", "00:00:10")).BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<KeyVaultOptions>>().Value;

        Assert.Equal(new Uri("https://memic.vault.azure.net"), options.VaultUri);
    }

    [Fact]
    public void Key_vault_store_is_registered_for_the_port()
    {
        var services = Services(("Memic:Keys:VaultUri", "https://memic.vault.azure.net"));

        // Checked on the registration, not by resolving: resolving would build a credential for a vault that does not exist.
        var registration = Assert.Single(services, d => d.ServiceType == typeof(IApiKeyStore));

        Assert.Equal(typeof(KeyVaultKeyStore), registration.ImplementationType);
        Assert.Equal(ServiceLifetime.Singleton, registration.Lifetime);
    }

    private static IServiceCollection Services(params (string Key, string? Value)[] settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();
        return new ServiceCollection().AddKeyVaultKeyStore(configuration);
    }
}
