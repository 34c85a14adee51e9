using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Memic.Core.Keys;

/// <summary>
/// Says at start, once and plainly, that the admin API is off because <c>MEMIC_ADMIN_KEY</c> is an unresolved Key Vault
/// reference. The worker keeps running: refusing to start would also stop the data plane and the blob trigger, and on a
/// first deployment keep the host from ever producing the keys the deployment hooks wait for.
/// </summary>
internal sealed partial class AdminKeyStartupCheck(IOptions<KeyVerificationOptions> options, ILogger<AdminKeyStartupCheck> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.AdminKeyIsUnresolvedReference)
        {
            // The reference names a vault and a secret, never the secret's value.
            AdminApiDisabled(logger, options.Value.AdminKey!);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Error,
        Message = "Admin API disabled: MEMIC_ADMIN_KEY is the unresolved Key Vault reference {Reference}. Create the secret (azd provision runs the postprovision hook) and make sure the app's identity may read it; admin routes answer 503 admin_unavailable until the app restarts with the reference resolved.")]
    private static partial void AdminApiDisabled(ILogger logger, string reference);
}
