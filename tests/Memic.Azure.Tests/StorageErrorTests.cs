using System.Net;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Memic.Azure.Internals;
using Memic.Core.Errors;
using Microsoft.Extensions.Logging.Abstractions;

namespace Memic.Azure.Tests;

/// <summary>How storage failures reach callers: "try later" as <see cref="TransientException"/>, anything else untouched.</summary>
public sealed class StorageErrorTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(HttpStatusCode.RequestTimeout)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    public async Task Busy_or_failing_service_is_transient(HttpStatusCode status)
    {
        var blob = BlobClientAnswering(status);

        var error = await Assert.ThrowsAsync<TransientException>(() => blob.GetPropertiesAsync(cancellationToken: Ct));

        Assert.Equal(ErrorKind.Transient, error.Kind);
        Assert.Equal((int)status, Assert.IsType<RequestFailedException>(error.InnerException).Status);
    }

    [Theory]
    [InlineData(HttpStatusCode.NotFound)]
    [InlineData(HttpStatusCode.Conflict)]
    [InlineData(HttpStatusCode.Forbidden)]
    public async Task Other_failures_stay_the_sdks_for_the_adapter_to_interpret(HttpStatusCode status)
    {
        var blob = BlobClientAnswering(status);

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => blob.GetPropertiesAsync(cancellationToken: Ct));

        Assert.Equal((int)status, error.Status);
    }

    [Fact]
    public async Task Unreachable_service_is_transient_once_the_retries_are_spent()
    {
        var options = Pipeline(new TableClientOptions(), new AzureRetrySettings(1, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(1), TimeSpan.Zero));
        var table = new TableClient(new Uri("http://127.0.0.1:9/devstoreaccount1/nothing"), options);

        await Assert.ThrowsAsync<TransientException>(() => table.GetEntityIfExistsAsync<TableEntity>("p", "r", cancellationToken: Ct));
    }

    private static BlobClient BlobClientAnswering(HttpStatusCode status)
    {
        var options = Pipeline(
            new BlobClientOptions { Transport = new HttpClientTransport(new HttpClient(new FixedAnswer(status))) },
            AzureRetrySettings.Default with { MaxRetries = 0 });
        return new BlobClient(new Uri("http://127.0.0.1:10000/devstoreaccount1/c/b"), options);
    }

    /// <summary>The pipeline every registered client gets, with the test's retry bounds.</summary>
    private static T Pipeline<T>(T options, AzureRetrySettings retry)
        where T : ClientOptions =>
        AzureClientPipeline.Configure(options, retry, TimeProvider.System, NullLoggerFactory.Instance);

    private sealed class FixedAnswer(HttpStatusCode status) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(status) { RequestMessage = request });
    }
}
