using Azure.Core;
using Azure.Data.Tables;
using Azure.Search.Documents;
using Azure.Security.KeyVault.Secrets;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Logging;

namespace Memic.Azure.Internals;

/// <summary>
/// What every Azure SDK client's pipeline carries: <see cref="AzureRetryPolicy"/>, then, outside the retries,
/// <see cref="TransientFailurePolicy"/>, so callers see one "try again later" kind whichever service failed.
/// Microsoft.Extensions.Azure applies it to every client it registers (<c>ConfigureDefaults</c>); tests apply it to
/// clients on fake transports, so they run the production pipeline.
/// </summary>
internal static class AzureClientPipeline
{
    /// <summary>The category the retries are logged under.</summary>
    public const string LogCategory = "Memic.Azure.Retries";

    public static TOptions Configure<TOptions>(TOptions options, AzureRetrySettings retry, TimeProvider time, ILoggerFactory loggers)
        where TOptions : ClientOptions
    {
        ArgumentNullException.ThrowIfNull(options);
        UseRetry(options, retry, time, loggers);
        options.AddPolicy(new TransientFailurePolicy(ServiceName(options)), HttpPipelinePosition.PerCall);
        return options;
    }

    /// <summary>Replaces the retry bounds, for a service that needs other ones than <see cref="AzureRetrySettings.Default"/>.</summary>
    public static void UseRetry(ClientOptions options, AzureRetrySettings retry, TimeProvider time, ILoggerFactory loggers) =>
        options.RetryPolicy = new AzureRetryPolicy(retry, time, loggers.CreateLogger(LogCategory));

    private static string ServiceName(ClientOptions options) => options switch
    {
        BlobClientOptions or TableClientOptions or QueueClientOptions => "Azure Storage",
        SecretClientOptions => "Azure Key Vault",
        SearchClientOptions => "Azure AI Search",
        _ => "An Azure service",
    };
}
