using Memic.Functions.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Memic.Functions.Tests;

/// <summary>
/// On a first deployment App Service may hand the app its admin key setting as the literal Key Vault reference. The
/// worker must still start and serve the data plane; only the admin API is off, with an honest 503.
/// </summary>
public sealed class UnresolvedAdminKeyTests : IAsyncLifetime
{
    private const string Reference = "@Microsoft.KeyVault(VaultName=kv-test;SecretName=memic-admin-key)";

    private readonly FunctionsTestHost _host = new() { Settings = new Dictionary<string, string?> { ["Memic:Keys:AdminKey"] = Reference } };

    public ValueTask InitializeAsync() => _host.InitializeAsync();

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public void Start_up_validation_accepts_an_unresolved_reference()
    {
        var validator = _host.Services.GetRequiredService<IStartupValidator>();

        var failure = Record.Exception(validator.Validate);

        Assert.Null(failure);
    }

    [Fact]
    public async Task The_data_plane_serves_and_the_admin_api_answers_503_admin_unavailable()
    {
        var account = _host.Create<AccountFunctions>();
        var admin = _host.Create<AdminFunctions>();

        var me = await FunctionsTestHost.InvokeAsync(_host.Request("GET", "/api/v1/me", apiKey: _host.ProductionKey), account.GetMe);
        var withReference = await FunctionsTestHost.InvokeAsync(_host.Request("GET", "/api/admin/v1/environments", adminKey: Reference), admin.AdminListEnvironments);
        var withoutKey = await FunctionsTestHost.InvokeAsync(_host.Request("GET", "/api/admin/v1/environments"), admin.AdminListEnvironments);

        Assert.Equal(200, me.Status);
        Assert.All([withReference, withoutKey], reply =>
        {
            Assert.Equal(503, reply.Status);
            Assert.Equal("admin_unavailable", reply.Body.GetProperty("code").GetString());
            Assert.Equal(reply.RequestId, reply.Body.GetProperty("request_id").GetString());
        });
    }
}
