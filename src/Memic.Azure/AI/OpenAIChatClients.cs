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
    public static IChatClient Create(ChatModelOptions options, Func<TokenCredential> credential, ILoggerFactory loggers)
    {
        var client = options.Provider switch
        {
            ChatProvider.OpenAI => OpenAICompatible(options),
            ChatProvider.AzureOpenAI => AzureOpenAI(options, credential),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Provider, "No chat client exists for this provider."),
        };
        loggers.CreateLogger(typeof(OpenAIChatClients)).LogInformation("Chat answers come from {Provider} model {Model} at {Endpoint}",
            options.Provider, options.Model, options.HasEndpoint ? options.Endpoint : "the provider's default endpoint");
        return new ChatProviderErrors(client);
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

    private static IChatClient AzureOpenAI(ChatModelOptions options, Func<TokenCredential> credential)
    {
        var endpoint = new Uri(options.Endpoint!);
        var clientOptions = Pipeline(new AzureOpenAIClientOptions(), options);
        var client = string.IsNullOrWhiteSpace(options.ApiKey)
            ? new AzureOpenAIClient(endpoint, credential(), clientOptions)
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
}
