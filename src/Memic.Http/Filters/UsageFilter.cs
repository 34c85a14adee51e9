using Memic.Core.Usage;
using Memic.Http.Routing;
using Microsoft.AspNetCore.Http;

namespace Memic.Http.Filters;

/// <summary>Counts every data-plane request the caller's environment makes, for the usage route.</summary>
internal sealed class UsageFilter(UsageMeter usage) : IEndpointFilter
{
    private static readonly UsageCounters OneRequest = new(Requests: 1);

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (await EnvironmentCaller.BindAsync(context.HttpContext) is { } caller)
        {
            usage.Record(caller.EnvironmentId, OneRequest);
        }

        return await next(context);
    }
}
