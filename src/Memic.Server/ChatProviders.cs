using Memic.Azure;
using Memic.Core.Chat;

namespace Memic.Server;

/// <summary>
/// Turns <c>Memic:Chat:Provider</c> (CONTRACT §13) into the optional chat model: nothing for <c>None</c>, so answers stay
/// extractive, else the Azure adapters' OpenAI / Azure OpenAI client, which the Functions host shares.
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
        return provider == ChatProvider.None ? services : services.AddOpenAIChat();
    }
}
