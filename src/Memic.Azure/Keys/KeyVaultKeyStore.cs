using Azure;
using Azure.Security.KeyVault.Secrets;
using Memic.Azure.Internals;
using Memic.Core.Errors;
using Memic.Core.Keys;
using Memic.Core.Ports;
using Microsoft.Extensions.Logging;

namespace Memic.Azure.KeyVault;

/// <summary>
/// Key bindings as Key Vault secrets named <c>apikey-&lt;sha256 hex&gt;</c>, whose JSON value holds the scope, key id and
/// environment id, never the key. Deleting purges as well: a soft-deleted secret would keep the name reserved and the
/// binding recoverable, and a revoked key should leave nothing behind that could bring it back.
/// A busy or failing vault (408, 429, 5xx, no answer) surfaces as <see cref="TransientException"/>.
/// </summary>
public sealed partial class KeyVaultKeyStore : IApiKeyStore
{
    private readonly SecretClient _client;
    private readonly ILogger<KeyVaultKeyStore> _logger;

    /// <param name="client">The vault's client, registered through Microsoft.Extensions.Azure from <see cref="KeyVaultOptions"/>.</param>
    public KeyVaultKeyStore(SecretClient client, ILogger<KeyVaultKeyStore> logger)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _logger = logger;
    }

    public async Task PutAsync(ApiKeyBinding binding, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(binding);
        var name = KeyBindingSecret.Name(binding.KeyHash);
        try
        {
            await SetAsync(name, binding, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException conflict) when (conflict.Status == 409)
        {
            // Usually ObjectIsDeletedButRecoverable: an earlier delete whose purge did not happen. Purging frees the name;
            // if there was nothing to purge, the conflict is something else and belongs to the caller.
            if (!await PurgeIfDeletedAsync(name, cancellationToken).ConfigureAwait(false))
            {
                throw;
            }

            try
            {
                await SetAsync(name, binding, cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException stillConflicting) when (stillConflicting.Status == 409)
            {
                // Purging completes in the background on the service; the name frees up shortly.
                throw new TransientException("The key binding's previous secret is still being purged; retry later.", stillConflicting);
            }
        }
    }

    public async Task<ApiKeyBinding?> FindAsync(byte[] keyHash, CancellationToken cancellationToken)
    {
        var name = KeyBindingSecret.Name(keyHash);
        KeyVaultSecret secret;
        try
        {
            secret = (await _client.GetSecretAsync(name, cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }

        // The name is the only link between a key and its binding, so a secret answered under any other name must not
        // authenticate the key that was asked about.
        if (KeyBindingSecret.HashOf(secret.Name) is not { } storedHash || !storedHash.AsSpan().SequenceEqual(keyHash))
        {
            throw new InvalidDataException($"Key Vault answered secret '{secret.Name}' when asked for '{name}'.");
        }

        return KeyBindingSecret.Parse(keyHash, name, secret.Value);
    }

    public async Task DeleteAsync(byte[] keyHash, CancellationToken cancellationToken)
    {
        var name = KeyBindingSecret.Name(keyHash);
        try
        {
            var operation = await _client.StartDeleteSecretAsync(name, cancellationToken).ConfigureAwait(false);

            // Without soft delete (no recovery id) the secret is gone at once and there is nothing to purge.
            if (operation.Value.RecoveryId is null)
            {
                return;
            }

            // Purging before the delete has finished is refused, so wait for the deleted secret to appear.
            await operation.WaitForCompletionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Already deleted; an earlier delete may still have left it unpurged, so carry on and purge.
        }

        try
        {
            await PurgeIfDeletedAsync(name, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 403)
        {
            // Deleting already stops the key working; only the name stays reserved until the vault's retention ends.
            LogPurgeRefused(_logger, name, ex.ErrorCode);
        }
    }

    private Task<Response<KeyVaultSecret>> SetAsync(string name, ApiKeyBinding binding, CancellationToken cancellationToken)
    {
        var secret = new KeyVaultSecret(name, KeyBindingSecret.Value(binding));
        secret.Properties.ContentType = KeyBindingSecret.ContentType;
        foreach (var (tag, value) in KeyBindingSecret.Tags(binding))
        {
            secret.Properties.Tags[tag] = value;
        }

        return _client.SetSecretAsync(secret, cancellationToken);
    }

    /// <returns>Whether a deleted secret was there to purge.</returns>
    private async Task<bool> PurgeIfDeletedAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            await _client.PurgeDeletedSecretAsync(name, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return false;
        }
    }

    [LoggerMessage(
        Level = LogLevel.Warning,
        Message = "Key Vault refused to purge deleted key binding {SecretName} ({ErrorCode}); the key no longer works, but the secret stays recoverable until the vault's retention period ends. Purge protection may be on, or the identity lacks the purge permission.")]
    private static partial void LogPurgeRefused(ILogger logger, string secretName, string? errorCode);
}
