using Azure;
using Azure.Security.KeyVault.Secrets;
using Memic.Core.Errors;
using Memic.Core.Ports;
using Microsoft.Extensions.Logging;

namespace Memic.Azure.KeyVault;

/// <summary>
/// Connector connection strings as Key Vault secrets named <c>connector-&lt;id&gt;</c>, through the same vault client as the
/// key bindings. Deleting purges as well, so a deleted connector's credentials are not left recoverable in the vault.
/// </summary>
public sealed partial class KeyVaultConnectorSecrets(SecretClient client, ILogger<KeyVaultConnectorSecrets> logger) : IConnectorSecrets
{
    public const string ContentType = "application/x-memic-connector-connection-string";

    public static string Name(Guid connectorId) => $"connector-{connectorId:D}";

    public async Task PutAsync(Guid connectorId, string connectionString, CancellationToken cancellationToken)
    {
        var secret = new KeyVaultSecret(Name(connectorId), connectionString);
        secret.Properties.ContentType = ContentType;
        secret.Properties.Tags["connector-id"] = connectorId.ToString("D");
        try
        {
            await client.SetSecretAsync(secret, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException conflict) when (conflict.Status == 409)
        {
            // A deleted secret of that name awaits its purge; ids are fresh UUIDs, so it can only be this connector's own.
            await PurgeAsync(Name(connectorId), cancellationToken).ConfigureAwait(false);
            throw new TransientException("The connector's previous secret is still being purged; retry shortly.", conflict);
        }
    }

    public async Task<string?> GetAsync(Guid connectorId, CancellationToken cancellationToken)
    {
        try
        {
            var secret = (await client.GetSecretAsync(Name(connectorId), cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
            return secret.Name == Name(connectorId) ? secret.Value : throw new InvalidDataException($"Key Vault answered secret '{secret.Name}' when asked for '{Name(connectorId)}'.");
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    public async Task DeleteAsync(Guid connectorId, CancellationToken cancellationToken)
    {
        var name = Name(connectorId);
        try
        {
            var operation = await client.StartDeleteSecretAsync(name, cancellationToken).ConfigureAwait(false);
            if (operation.Value.RecoveryId is null)
            {
                return;
            }

            await operation.WaitForCompletionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Already deleted; it may still await its purge.
        }

        await PurgeAsync(name, cancellationToken).ConfigureAwait(false);
    }

    private async Task PurgeAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            await client.PurgeDeletedSecretAsync(name, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Nothing to purge.
        }
        catch (RequestFailedException ex) when (ex.Status == 403)
        {
            LogPurgeRefused(logger, name, ex.ErrorCode);
        }
    }

    [LoggerMessage(
        Level = LogLevel.Warning,
        Message = "Key Vault refused to purge deleted connector secret {SecretName} ({ErrorCode}); it stays recoverable until the vault's retention period ends. Purge protection may be on, or the identity lacks the purge permission.")]
    private static partial void LogPurgeRefused(ILogger logger, string secretName, string? errorCode);
}
