using System.Collections.Concurrent;
using Azure.Core;
using Azure.Search.Documents;
using Azure.Search.Documents.Indexes;

namespace Memic.Azure.Search.Internals;

/// <summary>
/// One <see cref="SearchIndexClient"/> per search service of the pool, all built from the same client options (the
/// app's pipeline, with the search bounds of <see cref="AzureAISearchOptions"/>) and the managed identity's token: the
/// pool's services are known only at run time, so this, not each service's client, is what Microsoft.Extensions.Azure registers.
/// </summary>
internal sealed class SearchIndexClients(SearchClientOptions options, TokenCredential credential)
{
    private readonly ConcurrentDictionary<Uri, SearchIndexClient> _clients = new();

    public SearchIndexClient For(Uri endpoint) => _clients.GetOrAdd(endpoint, e => new SearchIndexClient(e, credential, options));
}
