using Memic.Core.Keys;

namespace Memic.Core.Ports;

/// <summary>A key's catalog row: what the admin API lists, plus the hash needed to revoke it from the key store.</summary>
public sealed record ApiKeyRecord(ApiKeyInfo Info, byte[] KeyHash);

/// <summary>The catalog's key part: metadata of environment keys and of generated admin keys.</summary>
public interface IKeyCatalog
{
    Task AddKeyAsync(ApiKeyRecord key, CancellationToken cancellationToken);

    Task<ApiKeyRecord?> GetKeyAsync(Guid keyId, CancellationToken cancellationToken);

    Task<IReadOnlyList<ApiKeyRecord>> ListKeysAsync(Guid environmentId, CancellationToken cancellationToken);

    Task RemoveKeyAsync(Guid keyId, CancellationToken cancellationToken);

    Task MarkKeyUsedAsync(Guid keyId, DateTimeOffset usedAt, CancellationToken cancellationToken);

    /// <summary>The generated admin key's record, if one was ever generated.</summary>
    Task<ApiKeyRecord?> GetGeneratedAdminKeyAsync(CancellationToken cancellationToken);

    Task SetGeneratedAdminKeyAsync(ApiKeyRecord key, CancellationToken cancellationToken);
}
