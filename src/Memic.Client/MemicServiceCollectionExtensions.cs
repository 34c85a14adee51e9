using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Polly;

namespace Memic.Client;

/// <summary>Registers <see cref="MemicClient"/> and <see cref="MemicAdminClient"/> on <see cref="IHttpClientFactory"/>.</summary>
public static class MemicServiceCollectionExtensions
{
    /// <summary>
    /// Adds both clients as transients over the named client <see cref="MemicClient.HttpClientName"/>, which carries the
    /// retry policy of <see cref="MemicRetry"/>. Options start from the environment variables (as
    /// <see cref="MemicClientOptions.FromEnvironment"/>) and <paramref name="configure"/> may change them. The returned
    /// builder adds further handlers to the same <see cref="HttpClient"/>.
    /// </summary>
    public static IHttpClientBuilder AddMemicClient(this IServiceCollection services, Action<MemicClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<MemicClientOptions>()
            .Configure(options =>
            {
                var fromEnvironment = MemicClientOptions.FromEnvironment();
                options.ApiKey ??= fromEnvironment.ApiKey;
                options.BaseUrl ??= fromEnvironment.BaseUrl;
                options.AdminKey ??= fromEnvironment.AdminKey;
                options.AdminUrl ??= fromEnvironment.AdminUrl;
                configure?.Invoke(options);
            });
        services.AddTransient(provider => new MemicClient(
            provider.GetRequiredService<IHttpClientFactory>().CreateClient(MemicClient.HttpClientName),
            provider.GetRequiredService<IOptions<MemicClientOptions>>().Value));
        services.AddTransient(provider => new MemicAdminClient(
            provider.GetRequiredService<IHttpClientFactory>().CreateClient(MemicClient.HttpClientName),
            provider.GetRequiredService<IOptions<MemicClientOptions>>().Value));

        var builder = services.AddHttpClient(MemicClient.HttpClientName)
            .ConfigureHttpClient(client => client.Timeout = Timeout.InfiniteTimeSpan);
        builder.AddResilienceHandler(MemicRetry.HandlerName, (pipeline, context) =>
            pipeline.AddRetry(MemicRetry.CreateOptions(context.ServiceProvider.GetRequiredService<IOptions<MemicClientOptions>>().Value.MaxRetries)));
        return builder;
    }
}
