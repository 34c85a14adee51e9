using Memic.Client;

namespace Memic.Client.Tests;

/// <summary>Configuration defaults, read like the Python SDK's; no server needed.</summary>
public sealed class OptionsTests
{
    [Fact]
    public void The_python_sdk_variables_configure_the_data_plane_and_the_admin_url_follows_the_base_url()
    {
        var variables = new Dictionary<string, string> { ["MEMIC_API_KEY"] = "mk_live_abc", ["MEMIC_BASE_URL"] = "https://memic.example.com:8443/" };

        var options = MemicClientOptions.FromVariables(name => variables.GetValueOrDefault(name));

        Assert.Equal("mk_live_abc", options.ApiKey);
        Assert.Equal(new Uri("https://memic.example.com:8443/api/v1/sdk/"), options.ResolveDataPlaneRoot());
        Assert.Equal(new Uri("https://memic.example.com:8443/api/admin/v1/"), options.ResolveAdminRoot());
    }

    [Fact]
    public void MEMIC_ADMIN_URL_overrides_the_derived_admin_url_and_a_base_url_naming_a_surface_is_kept()
    {
        var variables = new Dictionary<string, string>
        {
            ["MEMIC_BASE_URL"] = "http://gateway.local/memic/api/v1",
            ["MEMIC_ADMIN_URL"] = "http://admin.local/api/admin/v1",
            ["MEMIC_ADMIN_KEY"] = "mk_admin_x",
        };

        var options = MemicClientOptions.FromVariables(name => variables.GetValueOrDefault(name));

        Assert.Equal(new Uri("http://gateway.local/memic/api/v1/"), options.ResolveDataPlaneRoot());
        Assert.Equal(new Uri("http://admin.local/api/admin/v1/"), options.ResolveAdminRoot());
        Assert.Equal("mk_admin_x", options.AdminKey);
    }

    [Fact]
    public void Without_variables_the_local_server_is_the_default_and_a_client_without_a_key_says_which_variable_to_set()
    {
        var options = MemicClientOptions.FromVariables(_ => null);

        var error = Assert.Throws<InvalidOperationException>(() => new MemicClient(options));

        Assert.Equal(new Uri("http://127.0.0.1:8000/api/v1/sdk/"), options.ResolveDataPlaneRoot());
        Assert.Contains("MEMIC_API_KEY", error.Message, StringComparison.Ordinal);
    }
}
