using Memic.Core.Errors;
using Memic.Core.Ports;
using Memic.Core.Tenancy;
using Microsoft.Extensions.Logging;

namespace Memic.Core.Keys;

/// <summary>Issues, lists and revokes environment keys. Plaintext exists only in the value returned by <see cref="IssueAsync"/>.</summary>
public sealed class ApiKeyService(
    IApiKeyStore store,
    IKeyCatalog keys,
    ITenancyCatalog tenancy,
    ApiKeyVerifier verifier,
    TimeProvider time,
    ILogger<ApiKeyService> logger)
{
    public const int MaxKeyNameLength = 100;

    /// <summary>Creates a key for a ready environment.</summary>
    public async Task<IssuedApiKey> CreateAsync(Guid environmentId, string? name, CancellationToken cancellationToken)
    {
        var environment = await tenancy.GetEnvironmentAsync(environmentId, cancellationToken);
        if (environment is not { Status: EnvironmentStatus.Ready })
        {
            throw NotFoundException.Resource("Environment", environmentId);
        }

        return await IssueAsync(environment.Id, InputRules.OptionalName(name, "name", MaxKeyNameLength) ?? "key", cancellationToken);
    }

    /// <summary>Issues a key without checking the environment's status (provisioning issues the first key).</summary>
    internal async Task<IssuedApiKey> IssueAsync(Guid environmentId, string name, CancellationToken cancellationToken)
    {
        var plaintext = ApiKeyFormat.NewEnvironmentKey();
        var hash = ApiKeyFormat.Hash(plaintext);
        var info = new ApiKeyInfo(Guid.NewGuid(), environmentId, name, ApiKeyFormat.DisplayPrefix(plaintext), time.GetUtcNow(), null);

        // Catalog first: a crash in between leaves a listed key that does not work and can be revoked,
        // never a working key that nobody can see or revoke.
        await keys.AddKeyAsync(new ApiKeyRecord(info, hash), cancellationToken);
        await store.PutAsync(new ApiKeyBinding(hash, KeyScope.Environment, info.Id, environmentId), cancellationToken);
        logger.LogInformation("Issued key {KeyId} ({KeyPrefix}) for environment {EnvironmentId}", info.Id, info.Prefix, environmentId);
        return new IssuedApiKey(info, plaintext);
    }

    public async Task<IReadOnlyList<ApiKeyInfo>> ListAsync(Guid environmentId, CancellationToken cancellationToken)
    {
        _ = await tenancy.GetEnvironmentAsync(environmentId, cancellationToken) ?? throw NotFoundException.Resource("Environment", environmentId);
        var records = await keys.ListKeysAsync(environmentId, cancellationToken);
        return [.. records.Select(r => r.Info)];
    }

    public async Task RevokeAsync(Guid keyId, CancellationToken cancellationToken)
    {
        var record = await keys.GetKeyAsync(keyId, cancellationToken) ?? throw NotFoundException.Resource("Key", keyId);
        await RevokeAsync(record, cancellationToken);
    }

    internal async Task RevokeAsync(ApiKeyRecord record, CancellationToken cancellationToken)
    {
        // Store first: once the binding is gone the key cannot verify anywhere, even if the row survives a crash.
        await store.DeleteAsync(record.KeyHash, cancellationToken);
        verifier.ForgetKey(record.Info.Id);
        await keys.RemoveKeyAsync(record.Info.Id, cancellationToken);
        logger.LogInformation("Revoked key {KeyId} of environment {EnvironmentId}", record.Info.Id, record.Info.EnvironmentId);
    }
}
