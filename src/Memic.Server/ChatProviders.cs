using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Runtime.CompilerServices;
using Azure.AI.OpenAI;
using Azure.Identity;
using Memic.Core.Chat;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenAI;

namespace Memic.Server;

/// <summary>
/// Turns <c>Memic:Chat</c> (CONTRACT §13) into the optional <see cref="IChatClient"/> that <see cref="ChatService"/> answers
/// with: nothing for <c>None</c>, so answers stay extractive; OpenAI's chat completions API at any OpenAI-compatible
/// endpoint; or an Azure OpenAI deployment with its API key or, without one, the host's Azure identity.
/// It moves to the Azure adapters' project once one exists, so both hosts share it.
/// </summary>
internal static class ChatProviders
{
    /// <summary>
    /// The provider decides whether a client is registered at all, so it is read while composing; the rest of the
    /// settings are read, validated on start, when the client is first needed.
    /// </summary>
    public static IServiceCollection AddChatProvider(this IServiceCollection services, IConfiguration configuration)
    {
        var provider = configuration.GetSection(ChatModelOptions.Section).GetValue<ChatProvider?>(nameof(ChatModelOptions.Provider)) ?? ChatProvider.None;
        if (provider != ChatProvider.None)
        {
            services.TryAddSingleton(sp => Create(sp.GetRequiredService<IOptions<ChatModelOptions>>().Value, sp.GetRequiredService<ILoggerFactory>()));
        }

        return services;
    }

    internal static IChatClient Create(ChatModelOptions options, ILoggerFactory loggers)
    {
        var client = options.Provider switch
        {
            ChatProvider.OpenAI => OpenAICompatible(options),
            ChatProvider.AzureOpenAI => AzureOpenAI(options),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Provider, "No chat client exists for this provider."),
        };
        loggers.CreateLogger(typeof(ChatProviders)).LogInformation("Chat answers come from {Provider} model {Model} at {Endpoint}",
            options.Provider, options.Model, options.HasEndpoint ? options.Endpoint : "the provider's default endpoint");
        return new ProviderErrors(client);
    }

    private static IChatClient OpenAICompatible(ChatModelOptions options)
    {
        var clientOptions = Pipeline(new OpenAIClientOptions(), options);
        if (options.HasEndpoint)
        {
            clientOptions.Endpoint = new Uri(options.Endpoint!);
        }

        // OpenAI-compatible servers on a custom endpoint often take no key, but the client insists on one.
        var key = string.IsNullOrWhiteSpace(options.ApiKey) ? "no-key" : options.ApiKey;
        return new OpenAI.Chat.ChatClient(options.Model, new ApiKeyCredential(key), clientOptions).AsIChatClient();
    }

    private static IChatClient AzureOpenAI(ChatModelOptions options)
    {
        var endpoint = new Uri(options.Endpoint!);
        var clientOptions = Pipeline(new AzureOpenAIClientOptions(), options);
        var client = string.IsNullOrWhiteSpace(options.ApiKey)
            ? new AzureOpenAIClient(endpoint, new DefaultAzureCredential(), clientOptions)
            : new AzureOpenAIClient(endpoint, new ApiKeyCredential(options.ApiKey), clientOptions);
        return client.GetChatClient(options.Model).AsIChatClient();
    }

    /// <summary>Few retries and a per-try timeout: a slow model only delays an answer that has a fallback.</summary>
    private static T Pipeline<T>(T clientOptions, ChatModelOptions options)
        where T : ClientPipelineOptions
    {
        clientOptions.RetryPolicy = new ClientRetryPolicy(options.MaxRetries);
        clientOptions.NetworkTimeout = options.Timeout;
        return clientOptions;
    }

    /// <summary>
    /// Translates the SDK's errors into <see cref="HttpRequestException"/> with the status alone: the SDK's message
    /// carries the response body, which may quote the request and with it the documents, so it must not reach a log.
    /// </summary>
    private sealed class ProviderErrors(IChatClient inner) : DelegatingChatClient(inner)
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
}
