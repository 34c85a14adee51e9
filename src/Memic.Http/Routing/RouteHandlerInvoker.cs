using System.Reflection;
using Memic.Core.Errors;
using Memic.Http.Requests;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.DependencyInjection;

namespace Memic.Http.Routing;

/// <summary>
/// Calls a route's typed handler: binds each parameter from what its type and attributes name, once the filters have
/// let the request through (so a caller without a key gets 401, never a 422 about its body).
/// </summary>
/// <remarks>
/// Minimal APIs' own binder is not used because it binds before endpoint filters run and stops at the first bad
/// field; the Functions host also has no endpoint routing of ours to hand it to. The conventions are minimal APIs'.
/// </remarks>
internal sealed class RouteHandlerInvoker
{
    /// <summary>What a malformed id in a route names: nothing, so it is the same 404 as an unknown one.</summary>
    private static readonly Dictionary<string, (string What, string Code)> RouteIds = new(StringComparer.Ordinal)
    {
        ["file_id"] = ("File", ErrorCodes.FileNotFound),
        ["folder_id"] = ("Folder", ErrorCodes.FolderNotFound),
        ["environment_id"] = ("Environment", ErrorCodes.NotFound),
        ["key_id"] = ("Key", ErrorCodes.NotFound),
        ["connector_id"] = ("Connector", ErrorCodes.NotFound),
        ["organization_id"] = ("Organization", ErrorCodes.NotFound),
        ["user_id"] = ("User", ErrorCodes.NotFound),
    };

    private static readonly MethodInfo AwaitResultMethod = typeof(RouteHandlerInvoker).GetMethod(nameof(AwaitResultAsync), BindingFlags.NonPublic | BindingFlags.Static)!;

    private readonly Delegate _handler;
    private readonly Func<HttpContext, ValueTask<object?>>[] _arguments;
    private readonly Func<object, Task<IResult>> _awaitResult;

    private RouteHandlerInvoker(Delegate handler, Func<HttpContext, ValueTask<object?>>[] arguments, Func<object, Task<IResult>> awaitResult)
    {
        _handler = handler;
        _arguments = arguments;
        _awaitResult = awaitResult;
    }

    public static RouteHandlerInvoker For(MemicRoute route)
    {
        var method = route.Handler.Method;
        var resultType = method.ReturnType.IsGenericType && method.ReturnType.GetGenericTypeDefinition() == typeof(Task<>)
            ? method.ReturnType.GetGenericArguments()[0]
            : null;
        if (resultType is null || !typeof(IResult).IsAssignableFrom(resultType))
        {
            throw new InvalidOperationException($"Route {route.Name}: a handler returns Task<a typed result>, not {method.ReturnType.Name}.");
        }

        var awaitResult = AwaitResultMethod.MakeGenericMethod(resultType).CreateDelegate<Func<object, Task<IResult>>>();
        return new RouteHandlerInvoker(route.Handler, [.. method.GetParameters().Select(p => ArgumentFor(route, p))], awaitResult);
    }

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context)
    {
        var arguments = new object?[_arguments.Length];
        for (var i = 0; i < arguments.Length; i++)
        {
            arguments[i] = await _arguments[i](context.HttpContext);
        }

        var task = _handler.Method.Invoke(_handler.Target, BindingFlags.DoNotWrapExceptions, binder: null, arguments, culture: null)!;
        return await _awaitResult(task);
    }

    private static Func<HttpContext, ValueTask<object?>> ArgumentFor(MemicRoute route, ParameterInfo parameter)
    {
        var type = parameter.ParameterType;
        if (type == typeof(CancellationToken))
        {
            return http => ValueTask.FromResult<object?>(http.RequestAborted);
        }

        if (type == typeof(HttpRequest))
        {
            return http => ValueTask.FromResult<object?>(http.Request);
        }

        if (type == typeof(EnvironmentCaller))
        {
            return route.Audience == RouteAudience.DataPlane
                ? async http => await EnvironmentCaller.BindAsync(http)
                : throw new InvalidOperationException($"Route {route.Name} is not on the data plane, so it has no environment caller.");
        }

        if (type == typeof(AdminCaller))
        {
            return route.Audience == RouteAudience.Admin
                ? async http => await AdminCaller.BindAsync(http)
                : throw new InvalidOperationException($"Route {route.Name} is not on the admin API, so it has no admin caller.");
        }

        if (type == typeof(SessionCaller))
        {
            return route.Audience == RouteAudience.Session
                ? async http => await SessionCaller.BindAsync(http)
                : throw new InvalidOperationException($"Route {route.Name} is not a sign-in route, so it has no session caller.");
        }

        if (type == typeof(HttpContext))
        {
            return http => ValueTask.FromResult<object?>(http);
        }

        if (parameter.GetCustomAttributes().OfType<IFromBodyMetadata>().Any())
        {
            return async http => BodyBinder.Bind(type, await JsonBodyReader.ReadObjectAsync(http.Request, http.RequestAborted), http.RequestServices);
        }

        if (parameter.IsDefined(typeof(AsParametersAttribute)))
        {
            return http => ValueTask.FromResult<object?>(QueryBinder.Bind(type, http.Request.Query));
        }

        if (parameter.GetCustomAttributes().OfType<IFromRouteMetadata>().FirstOrDefault() is { } fromRoute)
        {
            return RouteValue(route, fromRoute.Name ?? parameter.Name!, type);
        }

        // Everything else is a service, as in minimal APIs.
        return http => ValueTask.FromResult<object?>(http.RequestServices.GetRequiredService(type));
    }

    private static Func<HttpContext, ValueTask<object?>> RouteValue(MemicRoute route, string name, Type type)
    {
        if (!route.Pattern.Contains('{' + name + '}', StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Route {route.Name} has no route value '{name}'.");
        }

        if (type == typeof(string))
        {
            return http => ValueTask.FromResult<object?>(http.Request.RouteValues[name] as string ?? string.Empty);
        }

        if (type != typeof(Guid) || !RouteIds.TryGetValue(name, out var id))
        {
            throw new InvalidOperationException($"Route {route.Name}: '{name}' is not a known id of the route table.");
        }

        return http =>
        {
            var raw = http.Request.RouteValues[name] as string;
            return Guid.TryParse(raw, out var value)
                ? ValueTask.FromResult<object?>(value)
                : throw new NotFoundException(id.Code, $"{id.What} '{raw}' was not found.");
        };
    }

    private static async Task<IResult> AwaitResultAsync<TResult>(object task)
        where TResult : IResult => await (Task<TResult>)task;
}
