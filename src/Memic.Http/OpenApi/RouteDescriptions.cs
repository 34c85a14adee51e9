using System.Reflection;
using Memic.Http.Errors;
using Memic.Http.Routing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;

namespace Memic.Http.OpenApi;

/// <summary>A request body for the OpenAPI document: its content type and the type whose schema it has.</summary>
public sealed record RequestBodyDescription(string ContentType, Type Type);

/// <summary>
/// What the OpenAPI generator learns about a route from the route table: its handler (whose parameters are the
/// request's shape), its typed results, and the error envelopes its filters and binders can answer with.
/// </summary>
internal static class RouteDescriptions
{
    public const string ApiKeyScheme = "ApiKey";
    public const string AdminKeyScheme = "AdminKey";
    public const string SessionScheme = "Session";

    public static IEndpointConventionBuilder Describe(this IEndpointConventionBuilder builder, MemicRoute route, string path)
    {
        var sdk = path.StartsWith(MemicRoute.SdkPrefix + "/", StringComparison.Ordinal);
        builder
            .WithMetadata(route.Handler.Method, route)
            .WithName(sdk ? "Sdk" + route.Name : route.Name)
            .WithTags(Tag(route, sdk));
        foreach (var (status, type) in Results(route.Handler.Method.ReturnType))
        {
            builder.WithMetadata(new ProducesResponseTypeMetadata(status, type, type is null ? [] : ["application/json"]));
        }

        foreach (var status in ErrorStatuses(route))
        {
            var envelope = status == StatusCodes.Status422UnprocessableEntity ? typeof(ValidationErrorEnvelope) : typeof(ErrorEnvelope);
            builder.WithMetadata(new ProducesResponseTypeMetadata(status, envelope, ["application/json"]));
        }

        foreach (var extra in route.Metadata.Where(m => m is not RequestBodyDescription))
        {
            builder.WithMetadata(extra);
        }

        return builder;
    }

    /// <summary>
    /// The request body the document shows: the <c>[FromBody]</c> record as JSON, or what the route declares. Not
    /// <see cref="AcceptsMetadata"/>, which routing would enforce as a 415 before the handler could answer its own way.
    /// </summary>
    public static RequestBodyDescription? RequestBody(MemicRoute route) =>
        route.Metadata.OfType<RequestBodyDescription>().FirstOrDefault()
        ?? route.Handler.Method.GetParameters()
            .Where(p => p.GetCustomAttributes().OfType<IFromBodyMetadata>().Any())
            .Select(p => new RequestBodyDescription("application/json", p.ParameterType))
            .FirstOrDefault();

    private static string Tag(MemicRoute route, bool sdk) => route.Audience switch
    {
        RouteAudience.Admin => "Admin",
        RouteAudience.Session => "Auth",
        RouteAudience.Public when route.Name == "Login" => "Auth",
        RouteAudience.Public when route.Name != "Health" => "Files",
        RouteAudience.Public => "Health",
        _ => (sdk ? "SDK: " : "") + route.Handler.Method.DeclaringType!.Name.Replace("Endpoints", "", StringComparison.Ordinal) switch
        {
            "DataPlane" => "Account",
            "File" => "Files",
            "Prompt" => "Prompts",
            var area => area,
        },
    };

    /// <summary>The typed results a handler returns: <c>Ok&lt;T&gt;</c>, <c>Created&lt;T&gt;</c>, <c>Results&lt;…&gt;</c> of them.</summary>
    private static IEnumerable<(int Status, Type? Type)> Results(Type returnType)
    {
        var result = returnType.GetGenericArguments()[0];
        var each = result.IsGenericType && result.GetGenericTypeDefinition().Name.StartsWith("Results`", StringComparison.Ordinal)
            ? result.GetGenericArguments()
            : [result];
        foreach (var type in each)
        {
            var definition = type.IsGenericType ? type.GetGenericTypeDefinition() : type;
            var value = type.IsGenericType ? type.GetGenericArguments()[0] : null;
            yield return definition switch
            {
                _ when definition == typeof(Ok<>) => (StatusCodes.Status200OK, value),
                _ when definition == typeof(Created<>) => (StatusCodes.Status201Created, value),
                _ when definition == typeof(Accepted<>) => (StatusCodes.Status202Accepted, value),
                _ when definition == typeof(NoContent) => (StatusCodes.Status204NoContent, null),
                _ when definition == typeof(ContentHttpResult) => (StatusCodes.Status200OK, null),
                _ => throw new InvalidOperationException($"{type.Name} is not a result the route table describes."),
            };
        }
    }

    private static SortedSet<int> ErrorStatuses(MemicRoute route)
    {
        var parameters = route.Handler.Method.GetParameters();
        var statuses = new SortedSet<int>();
        if (route.Audience != RouteAudience.Public)
        {
            statuses.Add(StatusCodes.Status401Unauthorized);
        }

        if (route.Audience != RouteAudience.Public)
        {
            // A signed-in user's write without the antiforgery token, or beyond their role.
            statuses.Add(StatusCodes.Status403Forbidden);
        }

        if (route.Name == "Login")
        {
            statuses.UnionWith([StatusCodes.Status401Unauthorized, StatusCodes.Status429TooManyRequests]);
        }

        if (route.Audience == RouteAudience.Admin)
        {
            // The admin API is off when no admin key is configured.
            statuses.Add(StatusCodes.Status503ServiceUnavailable);
        }

        if (route.RateLimit is not null)
        {
            statuses.Add(StatusCodes.Status429TooManyRequests);
        }

        var body = parameters.FirstOrDefault(p => p.GetCustomAttributes().OfType<IFromBodyMetadata>().Any());
        if (body is not null)
        {
            statuses.UnionWith([StatusCodes.Status400BadRequest, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status422UnprocessableEntity]);
            if (body.ParameterType.GetProperty("EnvironmentSlug") is not null)
            {
                statuses.Add(StatusCodes.Status403Forbidden);
            }
        }

        if (parameters.Any(p => p.IsDefined(typeof(AsParametersAttribute))))
        {
            statuses.Add(StatusCodes.Status422UnprocessableEntity);
        }

        if (route.Pattern.Contains('{', StringComparison.Ordinal))
        {
            statuses.Add(StatusCodes.Status404NotFound);
        }

        foreach (var extra in route.Metadata.OfType<ProducesResponseTypeMetadata>())
        {
            statuses.Remove(extra.StatusCode);
        }

        return statuses;
    }
}
