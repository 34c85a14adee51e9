using Memic.Azure.KeyVault;
using Microsoft.Extensions.Logging.Abstractions;

namespace Memic.Azure.Tests.Keys;

/// <summary>Connector connection strings as Key Vault secrets <c>connector-&lt;id&gt;</c> (CONTRACT §14).</summary>
public sealed class KeyVaultConnectorSecretsTests : IDisposable
{
    private const string ConnectionString = "Host=shop.postgres.database.azure.com;Database=shop;Username=memic_ro;Password=s3cret;SSL Mode=Require";

    private readonly FakeKeyVault _vault = new();
    private readonly KeyVaultConnectorSecrets _secrets;

    public KeyVaultConnectorSecretsTests()
    {
        _secrets = new KeyVaultConnectorSecrets(_vault.Client(), NullLogger<KeyVaultConnectorSecrets>.Instance);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _vault.Dispose();

    [Fact]
    public async Task The_connection_string_is_the_value_of_secret_connector_id_and_reads_back()
    {
        var id = Guid.NewGuid();

        await _secrets.PutAsync(id, ConnectionString, Ct);
        var read = await _secrets.GetAsync(id, Ct);

        var put = _vault.Requests[0];
        Assert.Equal($"PUT /secrets/connector-{id:D}", put.Line);
        Assert.Equal(ConnectionString, put.JsonBody.GetProperty("value").GetString());
        Assert.Equal(ConnectionString, read);
        Assert.Null(await _secrets.GetAsync(Guid.NewGuid(), Ct));
    }

    [Fact]
    public async Task Delete_removes_and_purges_the_secret_and_is_idempotent()
    {
        var id = Guid.NewGuid();
        await _secrets.PutAsync(id, ConnectionString, Ct);

        await _secrets.DeleteAsync(id, Ct);
        await _secrets.DeleteAsync(id, Ct);

        Assert.Null(await _secrets.GetAsync(id, Ct));
        Assert.False(_vault.HoldsDeleted($"connector-{id:D}"));
        Assert.Contains(_vault.Requests, r => r.Line == $"DELETE /deletedsecrets/connector-{id:D}");
    }
}
