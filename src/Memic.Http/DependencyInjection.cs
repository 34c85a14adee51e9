using Memic.Http.Errors;
using Memic.Http.Logging;
using Memic.Http.OpenApi;
using Memic.Http.RateLimiting;
using Memic.Http.Routing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Memic.Http;

public static class DependencyInjection
{
    /// <summary>Registers the shared HTTP surface: the request pipeline and rate limits.</summary>
    public static IServiceCollection AddMemicHttp(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RateLimitOptions>()
            .Bind(configuration.GetSection(RateLimitOptions.Section))
            .Validate(o => Enum.GetValues<RateLimitCategory>().All(c => o.LimitFor(c) > 0), "Every Memic:RateLimits:<Category> must be a positive number of requests per window.")
            .Validate(o => o.Window > TimeSpan.Zero, "Memic:RateLimits:Window must be positive.")
            .Validate(o => o.Provider is "Embedded" or "AzureTable", "Memic:RateLimits:Provider must be 'Embedded' or 'AzureTable'.")
            .Validate(o => o.SharedBatchFraction is > 0 and <= 0.1,
                "Memic:RateLimits:SharedBatchFraction must be more than 0 and at most 0.1 (a tenth of the limit per round trip).")
            .ValidateOnStart();
        services.ConfigureHttpJsonOptions(o =>
        {
            MemicJson.ApplyTo(o.SerializerOptions);

            // Numbers are never strings on Memic's wire; the OpenAPI schemas say so too.
            o.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict;
        });
        services.TryAddSingleton<ApiRateLimiter>();
        services.TryAddSingleton<Memic.Core.Users.IUserPasswordHasher, Sessions.IdentityPasswordHasher>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRouteIdOwner, EnvironmentIdOwner>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRouteIdOwner, KeyIdOwner>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRouteIdOwner, OrganizationIdOwner>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRouteIdOwner, UserIdOwner>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRouteIdOwner, ConnectorIdOwner>());
        services.TryAddSingleton<MemicRequestPipeline>();
        services.TryAddSingleton<IOpenApiDocumentSource, CheckedInOpenApiDocument>();
        services.TryAddSingleton<Dashboard.DashboardFiles>();
        return services;
    }

    /// <summary>Maps every route of <see cref="MemicRouteTable"/> on this host, plus envelopes for unmatched requests.</summary>
    public static IEndpointRouteBuilder MapMemicRoutes(this IEndpointRouteBuilder endpoints)
    {
        foreach (var route in MemicRouteTable.All)
        {
            foreach (var path in route.Paths)
            {
                endpoints.MapMethods(path, [route.Method], context =>
                        context.RequestServices.GetRequiredService<MemicRequestPipeline>().HandleAsync(route, context))
                    .WithDisplayName($"{route.Name} {path}")
                    .Describe(route, path);
            }
        }

        return endpoints;
    }

    /// <summary>Logs one line per request (the outermost middleware, so it sees the final status).</summary>
    public static IApplicationBuilder UseMemicRequestLog(this IApplicationBuilder app) => app.UseMiddleware<RequestLogMiddleware>();

    /// <summary>Gives bare status responses (no route, wrong method) the error envelope and a request id.</summary>
    public static IApplicationBuilder UseMemicStatusEnvelopes(this IApplicationBuilder app) =>
        app.UseStatusCodePages(async statusContext =>
        {
            var http = statusContext.HttpContext;
            await ErrorResponses.ForStatus(http.Response.StatusCode, http).ExecuteAsync(http);
        });
}
