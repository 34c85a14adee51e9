using Memic.Azure.KeyVault;
using Memic.Core.Ports;
using Memic.Embedded.Tests;
using Microsoft.Extensions.Logging.Abstractions;

namespace Memic.Azure.Tests.Keys;

/// <summary>The embedded key store's contract, re-run against the Key Vault adapter over an in-memory vault.</summary>
public sealed class KeyVaultKeyStoreContractTests : ApiKeyStoreContract
{
    protected override IApiKeyStore OpenStore() => new KeyVaultKeyStore(new FakeKeyVault().Client(), NullLogger<KeyVaultKeyStore>.Instance);
}
