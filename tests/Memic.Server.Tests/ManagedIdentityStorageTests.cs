using System.Net;
using System.Net.Http.Headers;
using static Memic.Server.Tests.Wire;

namespace Memic.Server.Tests;

/// <summary>
/// The identity end to end with the real SDK clients: the local server, as a process, on Blob and Table Storage that
/// accept only bearer tokens (Azurite over HTTPS with <c>--oauth basic</c>), its tokens from an App Service style
/// managed-identity endpoint, and only <c>AZURE_CLIENT_ID</c> saying which identity, as infra/main.bicep sets it.
/// </summary>
public sealed class ManagedIdentityStorageTests : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private const string UserAssignedClientId = "3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b";

    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("memic-identity-").FullName;

    public void Dispose() => Directory.Delete(_dataDirectory, recursive: true);

    [Fact]
    public async Task With_only_AZURE_CLIENT_ID_every_token_request_names_the_user_assigned_identity()
    {
        await using var azurite = await HttpsAzurite.StartAsync(Ct);
        await using var identity = new AppServiceIdentityEndpoint();
        await using var server = ServerProcess.StartServer(_dataDirectory, ServerEnvironment(azurite, identity));
        var key = (await server.WaitForAsync(ServerProcess.ApiKeyLine(), StartTimeout, Ct)).Groups["key"].Value;
        var url = server.Seen.Select(l => ServerProcess.RunningAt().Match(l)).Single(m => m.Success).Groups["url"].Value;
        using var client = new HttpClient { BaseAddress = new Uri(url) };
        client.DefaultRequestHeaders.Add("X-API-Key", key);

        var fileId = await UploadAsync(client, "identity.md", "# Identity\n\nEvery request carries the user-assigned identity.\n"u8.ToArray());
        var file = await Uploads.WaitForTerminalAsync(client, fileId, ["processing"]);
        var listed = await (await client.GetAsync("/api/v1/files", Ct)).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("ready", file.GetProperty("status").GetString());
        Assert.Contains(fileId.ToString(), listed.GetRawText(), StringComparison.Ordinal);
        var requests = identity.Requests;
        Assert.NotEmpty(requests);
        Assert.All(requests, request =>
        {
            Assert.True(request.HasSecret);
            Assert.Equal("2019-08-01", request.ApiVersion);
            Assert.Equal("https://storage.azure.com", request.Resource?.TrimEnd('/'));
            Assert.Equal(UserAssignedClientId, request.ClientId);
        });
    }

    /// <summary>What an App Service host would give the process, and nothing that names an identity but AZURE_CLIENT_ID.</summary>
    private static Dictionary<string, string> ServerEnvironment(HttpsAzurite azurite, AppServiceIdentityEndpoint identity)
    {
        var environment = identity.Environment();
        environment["AZURE_CLIENT_ID"] = UserAssignedClientId;
        // The child trusts Azurite's self-signed certificate, and only it.
        environment["SSL_CERT_FILE"] = azurite.CertificateFile;
        environment["Memic__Blobs__Provider"] = "AzureBlob";
        environment["Memic__Blobs__ServiceUri"] = azurite.BlobServiceUri.ToString();
        environment["Memic__Catalog__Provider"] = "AzureTable";
        environment["Memic__Catalog__ServiceUri"] = azurite.TableServiceUri.ToString();
        environment["Memic__Catalog__TablePrefix"] = "I" + Guid.NewGuid().ToString("N")[..12];
        // A developer's own credentials on the machine must not stand in for the managed identity.
        foreach (var name in new[] { "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_FEDERATED_TOKEN_FILE", "AZURE_USERNAME", "MSI_ENDPOINT", "MSI_SECRET", "IDENTITY_SERVER_THUMBPRINT" })
        {
            environment[name] = string.Empty;
        }

        return environment;
    }

    private static async Task<Guid> UploadAsync(HttpClient client, string filename, byte[] bytes)
    {
        var init = await Uploads.InitAsync(client, filename, bytes.Length, "text/markdown");
        var fileId = init.GetProperty("file_id").GetGuid();
        // Upload URLs are signed and need no API key, as the SDK sends them.
        using var anonymous = new HttpClient { BaseAddress = client.BaseAddress };
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("text/markdown");
        var upload = new Uri(init.GetProperty("upload_url").GetString()!).PathAndQuery;
        await (await anonymous.PutAsync(upload, content, Ct)).ExpectAsync(HttpStatusCode.OK);
        await (await client.PostAsync($"/api/v1/files/{fileId}/confirm", null, Ct)).ExpectAsync(HttpStatusCode.OK);
        return fileId;
    }
}
