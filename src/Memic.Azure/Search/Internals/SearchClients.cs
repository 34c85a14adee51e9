using Azure.Core;
using Azure.Search.Documents;
using Azure.Search.Documents.Indexes;
using Memic.Azure.Internals;

namespace Memic.Azure.Search.Internals;

/// <summary>
/// How the adapter reaches a search service: the managed identity's token (no API keys), the bounded retry policy,
/// and the transient-failure mapping shared with the other Azure adapters, outside the retries so it sees only the
/// final answer. Tests pass a fake credential and transport through <see cref="Options"/>'s template.
/// </summary>
internal static class SearchClients
{
    public static SearchIndexClient Create(Uri endpoint, TokenCredential credential, AzureAISearchOptions settings, Func<SearchClientOptions>? template)
    {
        var options = template?.Invoke() ?? new SearchClientOptions();
        options.RetryPolicy = new SearchRetryPolicy(settings.MaxRetries, settings.RetryDelay, settings.MaxRetryDelay, settings.MaxServerRetryDelay);
        options.AddPolicy(new TransientFailurePolicy("Azure AI Search"), HttpPipelinePosition.PerCall);
        return new SearchIndexClient(endpoint, credential, options);
    }
}
