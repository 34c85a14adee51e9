using System.ClientModel;
using System.ClientModel.Primitives;
using Azure.AI.OpenAI;
using Azure.Core;
using Memic.Core.Chat;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using OpenAI;

namespace Memic.Azure.AI;

/// <summary>
/// Builds the <see cref="IChatClient"/> that <see cref="ChatService"/> answers with from <c>Memic:Chat</c>: OpenAI's chat
/// completions API at any OpenAI-compatible endpoint, or an Azure OpenAI deployment with its API key or, without one,
/// the host's Azure identity. Every client is wrapped in <see cref="ChatProviderErrors"/>.
/// </summary>
internal static class OpenAIChatClients
{
    /// <summary>Longest wait between retries whatever Retry-After says: a slow model only delays an answer that has a fallback.</summary>
    internal static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(10);

    public static IChatClient Create(ChatModelOptions options, Func<TokenCredential> credential, TimeProvider time, ILoggerFactory loggers)
    {
        var retry = new OpenAIRetryPolicy(options.MaxRetries, MaxRetryDelay, "chat endpoint", time, loggers.CreateLogger(typeof(OpenAIChatClients)));
        var client = options.Provider switch
        {
            ChatProvider.OpenAI => OpenAICompatible(options, retry),
            ChatProvider.AzureOpenAI => AzureOpenAI(options, credential, retry),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Provider, "No chat client exists for this provider."),
        };
        loggers.CreateLogger(typeof(OpenAIChatClients)).LogInformation("Chat answers come from {Provider} model {Model} at {Endpoint}",
            options.Provider, options.Model, options.HasEndpoint ? options.Endpoint : "the provider's default endpoint");
        return new ChatProviderErrors(client);
    }

    private static IChatClient OpenAICompatible(ChatModelOptions options, OpenAIRetryPolicy retry)
    {
        var clientOptions = Pipeline(new OpenAIClientOptions(), options, retry);
        if (options.HasEndpoint)
        {
            clientOptions.Endpoint = new Uri(options.Endpoint!);
        }

        // OpenAI-compatible servers on a custom endpoint often take no key, but the client insists on one.
        var key = string.IsNullOrWhiteSpace(options.ApiKey) ? "no-key" : options.ApiKey;
        return new OpenAI.Chat.ChatClient(options.Model, new ApiKeyCredential(key), clientOptions).AsIChatClient();
    }

    private static IChatClient AzureOpenAI(ChatModelOptions options, Func<TokenCredential> credential, OpenAIRetryPolicy retry)
    {
        var endpoint = new Uri(options.Endpoint!);
        var clientOptions = Pipeline(new AzureOpenAIClientOptions(), options, retry);
        var client = string.IsNullOrWhiteSpace(options.ApiKey)
            ? new AzureOpenAIClient(endpoint, credential(), clientOptions)
            : new AzureOpenAIClient(endpoint, new ApiKeyCredential(options.ApiKey), clientOptions);
        return client.GetChatClient(options.Model).AsIChatClient();
    }

    /// <summary>Few retries and a per-try timeout: a slow model only delays an answer that has a fallback.</summary>
    private static T Pipeline<T>(T clientOptions, ChatModelOptions options, OpenAIRetryPolicy retry)
        where T : ClientPipelineOptions
    {
        clientOptions.RetryPolicy = retry;
        clientOptions.NetworkTimeout = options.Timeout;
        return clientOptions;
    }
}
