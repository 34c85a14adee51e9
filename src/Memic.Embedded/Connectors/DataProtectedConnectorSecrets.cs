using System.Text;
using Memic.Core.Ports;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace Memic.Embedded.Connectors;

/// <summary>
/// Connection strings encrypted at rest with ASP.NET Core Data Protection, one file per connector under
/// <c>&lt;data&gt;/connector-secrets</c>; the key ring lives in <c>&lt;data&gt;/data-protection-keys</c>. Each secret is
/// protected for its own connector id, so a file copied under another id does not decrypt.
/// </summary>
public sealed class DataProtectedConnectorSecrets(IDataProtectionProvider provider, IOptions<EmbeddedOptions> options) : IConnectorSecrets
{
    public const string Purpose = "Memic.Connectors.ConnectionString.v1";

    private readonly string _directory = Path.Combine(options.Value.FullDataDirectory, "connector-secrets");

    public async Task PutAsync(Guid connectorId, string connectionString, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_directory);
        var protectedBytes = Protector(connectorId).Protect(Encoding.UTF8.GetBytes(connectionString));
        var path = PathOf(connectorId);
        var temporary = path + ".tmp";
        await File.WriteAllBytesAsync(temporary, protectedBytes, cancellationToken);
        File.Move(temporary, path, overwrite: true);
    }

    public async Task<string?> GetAsync(Guid connectorId, CancellationToken cancellationToken)
    {
        var path = PathOf(connectorId);
        if (!File.Exists(path))
        {
            return null;
        }

        var protectedBytes = await File.ReadAllBytesAsync(path, cancellationToken);
        return Encoding.UTF8.GetString(Protector(connectorId).Unprotect(protectedBytes));
    }

    public Task DeleteAsync(Guid connectorId, CancellationToken cancellationToken)
    {
        File.Delete(PathOf(connectorId));
        return Task.CompletedTask;
    }

    private IDataProtector Protector(Guid connectorId) => provider.CreateProtector(Purpose, connectorId.ToString("D"));

    private string PathOf(Guid connectorId) => Path.Combine(_directory, connectorId.ToString("D") + ".bin");
}
