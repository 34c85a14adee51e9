using Memic.Core.Keys;

namespace Memic.Core.Ports;

/// <summary>
/// Where key bindings live, addressed only by the SHA-256 of the key: the store never sees a plaintext key.
/// Production: Key Vault secrets named <c>apikey-&lt;sha256 hex&gt;</c>.
/// </summary>
public interface IApiKeyStore
{
    Task PutAsync(ApiKeyBinding binding, CancellationToken cancellationToken);

    Task<ApiKeyBinding?> FindAsync(byte[] keyHash, CancellationToken cancellationToken);

    /// <summary>Deletes (and where the backend keeps deleted items, purges) a binding. Idempotent.</summary>
    Task DeleteAsync(byte[] keyHash, CancellationToken cancellationToken);
}
