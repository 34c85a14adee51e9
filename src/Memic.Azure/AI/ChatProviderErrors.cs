using System.ClientModel;
using System.Net;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Memic.Azure.AI;

/// <summary>
/// Translates the SDK's errors into <see cref="HttpRequestException"/> with the status alone: the SDK's message
/// carries the response body, which may quote the request and with it the documents, so it must not reach a log.
/// </summary>
internal sealed class ChatProviderErrors(IChatClient inner) : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        try
        {
            return await base.GetResponseAsync(messages, options, cancellationToken);
        }
        catch (ClientResultException ex)
        {
            throw Translate(ex);
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var updates = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            try
            {
                if (!await updates.MoveNextAsync())
                {
                    yield break;
                }
            }
            catch (ClientResultException ex)
            {
                throw Translate(ex);
            }

            yield return updates.Current;
        }
    }

    private static HttpRequestException Translate(ClientResultException ex) => ex.Status == 0
        ? new HttpRequestException("The language model could not be reached.")
        : new HttpRequestException($"The language model answered HTTP {ex.Status}.", null, (HttpStatusCode)ex.Status);
}
