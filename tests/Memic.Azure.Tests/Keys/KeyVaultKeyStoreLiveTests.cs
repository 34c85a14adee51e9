using Memic.Azure.KeyVault;
using Memic.Core.Ports;
using Memic.Embedded.Tests;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Memic.Azure.Tests.Keys;

/// <summary>
/// The key store contract against a real Key Vault, when <c>MEMIC_TEST_KEYVAULT_URI</c> names one (the identity running
/// the tests needs Key Vault Secrets Officer and purge rights on it); skipped, visibly, otherwise.
/// </summary>
public sealed class KeyVaultKeyStoreLiveTests : ApiKeyStoreContract
{
    public const string VaultVariable = "MEMIC_TEST_KEYVAULT_URI";

    protected override IApiKeyStore OpenStore()
    {
        var vault = Environment.GetEnvironmentVariable(VaultVariable);
        if (string.IsNullOrWhiteSpace(vault))
        {
            Assert.Skip($"Set {VaultVariable} to a Key Vault URI to run the live Key Vault suite.");
        }

        // Composed as the hosts compose it: the registered client, credential and pipeline.
        var settings = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Memic:Keys:VaultUri"] = vault }).Build();
        return new ServiceCollection().AddLogging().AddKeyVaultKeyStore(settings).BuildServiceProvider().GetRequiredService<IApiKeyStore>();
    }
}
