using Memic.Core.Files;
using Memic.Core.Ingestion;
using Memic.Core.Keys;
using Memic.Core.Ports;
using Memic.Core.Prompts;
using Memic.Core.Tenancy;
using Memic.Core.Usage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Memic.Core;

public static class DependencyInjection
{
    /// <summary>Registers Core's services. Adapters for the ports are registered by the host's chosen adapter families.</summary>
    public static IServiceCollection AddMemicCore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<KeyVerificationOptions>()
            .Bind(configuration.GetSection(KeyVerificationOptions.Section))
            .Configure(options => options.AdminKey = string.IsNullOrEmpty(options.AdminKey) ? configuration["MEMIC_ADMIN_KEY"] : options.AdminKey)
            .Validate(o => o.PositiveCacheTtl > TimeSpan.Zero && o.PositiveCacheTtl <= TimeSpan.FromSeconds(30), "Memic:Keys:PositiveCacheTtl must be greater than 0 and at most 30 seconds (a revoked key must stop working within 30 s).")
            .Validate(o => o.NegativeCacheTtl > TimeSpan.Zero && o.NegativeCacheTtl <= TimeSpan.FromSeconds(5), "Memic:Keys:NegativeCacheTtl must be greater than 0 and at most 5 seconds.")
            .Validate(o => o.MaxCachedKeys > 0 && o.MaxConcurrentLookups > 0, "Memic:Keys:MaxCachedKeys and MaxConcurrentLookups must be positive.")
            .Validate(o => o.MaxQueuedLookups >= 0 && o.MaxUnknownKeyLookupsPerSecond >= 0 && o.MaxFailedAuthenticationsPerMinute >= 0,
                "Memic:Keys:MaxQueuedLookups, MaxUnknownKeyLookupsPerSecond and MaxFailedAuthenticationsPerMinute must not be negative (0 lifts the last two).")
            .Validate(o => string.IsNullOrEmpty(o.AdminKey) || o.AdminKeyIsUnresolvedReference || (o.AdminKey.StartsWith(ApiKeyFormat.AcceptedPrefix, StringComparison.Ordinal) && o.AdminKey.Length >= 24 && ApiKeyFormat.IsPlausible(o.AdminKey)),
                "MEMIC_ADMIN_KEY must start with 'mk_', be at least 24 printable ASCII characters and at most 256.")
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ApiKeyVerifier>();
        services.TryAddSingleton<ApiKeyService>();
        services.TryAddSingleton<AdminKeyService>();
        services.TryAddSingleton<EnvironmentService>();
        services.TryAddSingleton<TenancyService>();
        services.TryAddSingleton<FirstRunSetup>();
        services.AddOptions<EnvironmentLifetimeOptions>()
            .Bind(configuration.GetSection(EnvironmentLifetimeOptions.Section))
            .Validate(o => o.SweepInterval > TimeSpan.Zero && o.SweepInterval <= TimeSpan.FromMinutes(5),
                "Memic:Environments:SweepInterval must be positive and at most 5 minutes (expired environments go within 5 minutes).")
            .ValidateOnStart();
        services.TryAddSingleton<ExpiredEnvironmentSweep>();
        services.AddOptions<Users.SessionOptions>()
            .Bind(configuration.GetSection(Users.SessionOptions.Section))
            .Configure(o => o.OwnerPassword = string.IsNullOrEmpty(o.OwnerPassword) ? configuration["MEMIC_OWNER_PASSWORD"] : o.OwnerPassword)
            .Validate(o => o.AbsoluteLifetime > TimeSpan.Zero && o.AbsoluteLifetime <= TimeSpan.FromDays(30),
                "Memic:Sessions:AbsoluteLifetime must be positive and at most 30 days.")
            .Validate(o => o.IdleTimeout >= TimeSpan.FromMinutes(1) && o.IdleTimeout <= o.AbsoluteLifetime,
                "Memic:Sessions:IdleTimeout must be at least 1 minute and at most Memic:Sessions:AbsoluteLifetime.")
            .Validate(o => string.IsNullOrEmpty(o.OwnerPassword) || o.OwnerPassword.Length is >= Users.UserInput.MinPasswordLength and <= Users.UserInput.MaxPasswordLength,
                "MEMIC_OWNER_PASSWORD (Memic:Sessions:OwnerPassword) must be 8 to 1024 characters.")
            .ValidateOnStart();
        services.TryAddSingleton<Users.UserService>();
        services.TryAddSingleton<Users.SignInService>();
        services.AddHostedService<AdminKeyStartupCheck>();

        services.AddOptions<UploadOptions>()
            .Bind(configuration.GetSection(UploadOptions.Section))
            .Validate(o => o.MaxFileBytes > 0, "Memic:Uploads:MaxFileBytes must be positive.")
            .Validate(o => o.UrlLifetime > TimeSpan.Zero, "Memic:Uploads:UrlLifetime must be positive.")
            .Validate(o => string.IsNullOrEmpty(o.SigningKey) || IsBase64Key(o.SigningKey), "Memic:Uploads:SigningKey must be base64 of at least 32 bytes.")
            .ValidateOnStart();
        services.TryAddSingleton<UploadUrlSigner>();
        services.TryAddSingleton<FolderService>();
        services.TryAddSingleton<FileService>();
        services.AddOptions<Ingestion.IngestionOptions>()
            .Bind(configuration.GetSection(Ingestion.IngestionOptions.Section))
            .Validate(o => o.MaxAttempts is >= 1 and <= 100, "Memic:Ingestion:MaxAttempts must be between 1 and 100.")
            .ValidateOnStart();
        services.TryAddSingleton<FileIngestionPipeline>();
        services.TryAddSingleton<Search.SearchService>();
        services.AddOptions<Chat.ChatModelOptions>()
            .Bind(configuration.GetSection(Chat.ChatModelOptions.Section))
            .Validate(o => o.Provider == Chat.ChatProvider.None || !string.IsNullOrWhiteSpace(o.Model),
                "Memic:Chat:Model (Memic__Chat__Model) is required when Memic:Chat:Provider is OpenAI or AzureOpenAI; for AzureOpenAI it is the deployment name.")
            .Validate(o => o.Provider != Chat.ChatProvider.AzureOpenAI || o.HasEndpoint,
                "Memic:Chat:Endpoint (Memic__Chat__Endpoint) is required when Memic:Chat:Provider is AzureOpenAI, e.g. https://<resource>.openai.azure.com/.")
            .Validate(o => o.Provider != Chat.ChatProvider.OpenAI || o.HasEndpoint || !string.IsNullOrWhiteSpace(o.ApiKey),
                "Memic:Chat:ApiKey (Memic__Chat__ApiKey) is required when Memic:Chat:Provider is OpenAI without a Memic:Chat:Endpoint (OpenAI's own API needs a key).")
            .Validate(o => o.EndpointIsValid, "Memic:Chat:Endpoint must be an absolute http or https URL.")
            .Validate(o => o.Timeout > TimeSpan.Zero, "Memic:Chat:Timeout must be positive.")
            .Validate(o => o.MaxRetries is >= 0 and <= 10, "Memic:Chat:MaxRetries must be between 0 and 10.")
            .Validate(o => o.MaxMessageCharacters >= 1000 && o.MaxConversationCharacters >= o.MaxMessageCharacters,
                "Memic:Chat:MaxMessageCharacters must be at least 1000 (a question's length) and Memic:Chat:MaxConversationCharacters at least MaxMessageCharacters.")
            .ValidateOnStart();
        services.AddOptions<Embeddings.EmbeddingModelOptions>()
            .Bind(configuration.GetSection(Embeddings.EmbeddingModelOptions.Section))
            .Validate(o => !o.IsRemote || !string.IsNullOrWhiteSpace(o.Endpoint),
                "Memic:Embeddings:Endpoint (Memic__Embeddings__Endpoint) is required when Memic:Embeddings:Provider is OpenAI or AzureOpenAI, e.g. https://api.openai.com/v1 or https://<resource>.openai.azure.com/.")
            .Validate(o => !o.IsRemote || !string.IsNullOrWhiteSpace(o.Model),
                "Memic:Embeddings:Model (Memic__Embeddings__Model) is required when Memic:Embeddings:Provider is OpenAI or AzureOpenAI; for AzureOpenAI it is the deployment name.")
            .Validate(o => !o.IsRemote || o.EndpointIsValid, "Memic:Embeddings:Endpoint must be an absolute http or https URL.")
            .Validate(o => !o.IsRemote || o.Dimensions > 0, "Memic:Embeddings:Dimensions must be positive.")
            .Validate(o => !o.IsRemote || o.MaxInputTokens > 0, "Memic:Embeddings:MaxInputTokens must be positive.")
            .Validate(o => !o.IsRemote || o.BatchSize is > 0 and <= 2048, "Memic:Embeddings:BatchSize must be between 1 and 2048.")
            .Validate(o => !o.IsRemote || o.Timeout > TimeSpan.Zero, "Memic:Embeddings:Timeout must be positive.")
            .Validate(o => !o.IsRemote || o.MaxRetries is >= 0 and <= 10, "Memic:Embeddings:MaxRetries must be between 0 and 10.")
            .Validate(o => o.TokensPerMinute >= 0,
                "Memic:Embeddings:TokensPerMinute (Memic__Embeddings__TokensPerMinute) must be 0 (no client-side budget) or positive, e.g. the Azure OpenAI deployment's capacity × 1000.")
            .Validate(o => o.MaxChunkTokens >= 32, "Memic:Embeddings:MaxChunkTokens must be at least 32.")
            .Validate(o => o.QueryBudget > TimeSpan.Zero && o.QueryBudget <= TimeSpan.FromSeconds(200),
                "Memic:Embeddings:QueryBudget (Memic__Embeddings__QueryBudget) must be positive and at most 200 seconds (Azure's front end ends requests at 230 s).")
            .ValidateOnStart();
        services.TryAddSingleton<Quotas.QuotaService>();
        services.AddHostedService<Quotas.QuotaReservationRelease>();
        services.TryAddSingleton<Chat.ChatService>();
        services.TryAddSingleton<PromptService>();
        services.AddOptions<Connectors.ConnectorOptions>()
            .Bind(configuration.GetSection(Connectors.ConnectorOptions.Section))
            .Validate(o => o.StatementTimeout >= TimeSpan.FromMilliseconds(100) && o.StatementTimeout <= TimeSpan.FromMinutes(2),
                "Memic:Connectors:StatementTimeout (Memic__Connectors__StatementTimeout) must be between 100 ms and 2 minutes.")
            .Validate(o => o.MaxRows is >= 1 and <= 10_000, "Memic:Connectors:MaxRows must be between 1 and 10000.")
            .Validate(o => o.ConnectTimeout >= TimeSpan.FromSeconds(1) && o.ConnectTimeout <= TimeSpan.FromMinutes(1),
                "Memic:Connectors:ConnectTimeout must be between 1 second and 1 minute.")
            .Validate(o => o.RoutingCacheDuration >= TimeSpan.Zero && o.RoutingCacheDuration <= TimeSpan.FromMinutes(5),
                "Memic:Connectors:RoutingCacheDuration (Memic__Connectors__RoutingCacheDuration) must be between 0 and 5 minutes: other instances see a new connector only after it.")
            .ValidateOnStart();
        services.AddOptions<UsageOptions>()
            .Bind(configuration.GetSection(UsageOptions.Section))
            .Validate(o => o.FlushInterval > TimeSpan.Zero && o.FlushInterval <= TimeSpan.FromMinutes(5),
                "Memic:Usage:FlushInterval (Memic__Usage__FlushInterval) must be positive and at most 5 minutes: it bounds the counts a crash loses.")
            .Validate(o => o.QuotaReadInterval >= TimeSpan.Zero && o.QuotaReadInterval <= TimeSpan.FromMinutes(5),
                "Memic:Usage:QuotaReadInterval (Memic__Usage__QuotaReadInterval) must be between 0 and 5 minutes.")
            .Validate(o => o.QuotaReservationShare is > 0 and <= 0.1,
                "Memic:Usage:QuotaReservationShare must be more than 0 and at most 0.1 (a tenth of what remains per round trip).")
            .ValidateOnStart();
        services.TryAddSingleton<UsageMeter>();
        services.TryAddSingleton<UsageExport>();
        services.AddHostedService(sp => sp.GetRequiredService<UsageMeter>());
        // In this order on delete: stop the environment's ingestions before their blobs and index go.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IEnvironmentResources, Ingestion.EnvironmentIngestion>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IEnvironmentResources, EnvironmentUploads>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IEnvironmentResources, EnvironmentSearchIndex>());
        return services;
    }

    /// <summary>
    /// Connectors and structured search (CONTRACT §14), for hosts that register the ports: <see cref="IConnectorCatalog"/>,
    /// <see cref="IConnectorSecrets"/> and <see cref="IConnectorDatabase"/>. Their secrets go with their environment.
    /// </summary>
    public static IServiceCollection AddMemicConnectors(this IServiceCollection services)
    {
        services.TryAddSingleton<Connectors.ConnectorService>();
        services.TryAddSingleton<Connectors.StructuredSearch>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IEnvironmentResources, Connectors.EnvironmentConnectors>());
        return services;
    }

    private static bool IsBase64Key(string value)
    {
        Span<byte> buffer = stackalloc byte[value.Length];
        return Convert.TryFromBase64String(value, buffer, out var length) && length >= 32;
    }
}
