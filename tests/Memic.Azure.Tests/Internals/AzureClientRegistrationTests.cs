using System.Net;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Security.KeyVault.Secrets;
using Azure.Storage.Blobs;
using Memic.Core.Errors;
using Memic.Core.Ports;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Memic.Azure.Tests.Internals;

/// <summary>
/// The Azure SDK clients the adapters use are registered through Microsoft.Extensions.Azure: one credential and one
/// pipeline (the app's retries, then the transient-failure mapping) for all of them, whichever adapter asked first.
/// </summary>
public sealed class AzureClientRegistrationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_registered_client_authenticates_with_the_one_credential_and_retries_a_busy_service_before_answering_transient()
    {
        var service = new BusyService();
        var credential = new CountingCredential();
        await using var provider = Compose(service, credential);
        var blobs = provider.GetRequiredService<IBlobStore>();

        var error = await Assert.ThrowsAsync<TransientException>(() => blobs.GetSizeAsync("uploads", "a/b", Ct));

        Assert.Contains("Azure Storage answered 503", error.Message, StringComparison.Ordinal);
        Assert.Equal(1 + 3, service.Requests); // Azure.Core's default of 3 retries, kept by the app's policy.
        Assert.True(credential.Requests > 0, "the registered credential was never asked for a token");
        Assert.All(service.Authorizations, a => Assert.Equal($"Bearer {CountingCredential.Token}", a));
    }

    [Fact]
    public async Task Every_adapter_shares_the_same_credential_and_each_client_is_registered_once()
    {
        await using var provider = Compose(new BusyService(), new CountingCredential());

        var credentials = provider.GetServices<TokenCredential>().ToList();

        Assert.Single(credentials);
        Assert.IsType<CountingCredential>(credentials[0]);
        Assert.Same(provider.GetRequiredService<BlobServiceClient>(), provider.GetRequiredService<BlobServiceClient>());
        Assert.Single(provider.GetServices<SecretClient>());
    }

    private static ServiceProvider Compose(BusyService service, CountingCredential credential)
    {
        var settings = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Memic:Blobs:ServiceUri"] = "https://memictest.blob.core.windows.net",
            ["Memic:Keys:VaultUri"] = "https://memictest.vault.azure.net",
        }).Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<TokenCredential>(credential);
        services.AddAzureBlobStore(settings).AddKeyVaultKeyStore(settings).AddAzureBlobStore(settings);

        // After the app's defaults: only the transport changes, to the fake service.
        services.AddAzureClients(clients => clients.ConfigureDefaults(options => options.Transport = new HttpClientTransport(new HttpClient(service))));
        return services.BuildServiceProvider();
    }

    /// <summary>Answers every request 503 with a short Retry-After, and counts them.</summary>
    private sealed class BusyService : HttpMessageHandler
    {
        private int _requests;

        public int Requests => _requests;

        public List<string> Authorizations { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _requests);
            lock (Authorizations)
            {
                Authorizations.Add(request.Headers.Authorization?.ToString() ?? "");
            }

            var response = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { RequestMessage = request };
            response.Headers.TryAddWithoutValidation("retry-after-ms", "1");
            return Task.FromResult(response);
        }
    }

    private sealed class CountingCredential : TokenCredential
    {
        public const string Token = "registered-credential-token";

        private int _requests;

        public int Requests => _requests;

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _requests);
            return new AccessToken(Token, DateTimeOffset.UtcNow.AddHours(1));
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
