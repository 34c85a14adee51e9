using Memic.Core.Errors;
using Memic.Core.Keys;
using Memic.Core.Tenancy;
using Memic.Core.Usage;
using Memic.Http.Contracts;
using Memic.Http.Requests;
using Memic.Http.Routing;
using Microsoft.AspNetCore.Http;

namespace Memic.Http.Endpoints;

/// <summary>The management API (CONTRACT §10), authenticated with the admin key.</summary>
internal static class AdminEndpoints
{
    public static IEnumerable<MemicRoute> Routes =>
    [
        Admin("CreateOrganization", HttpMethods.Post, "/organizations", CreateOrganizationAsync),
        Admin("CreateProject", HttpMethods.Post, "/projects", CreateProjectAsync),
        Admin("ListEnvironments", HttpMethods.Get, "/environments", ListEnvironmentsAsync),
        Admin("CreateEnvironment", HttpMethods.Post, "/environments", CreateEnvironmentAsync),
        Admin("GetEnvironment", HttpMethods.Get, "/environments/{environment_id}", GetEnvironmentAsync),
        Admin("DeleteEnvironment", HttpMethods.Delete, "/environments/{environment_id}", DeleteEnvironmentAsync),
        Admin("CreateKey", HttpMethods.Post, "/environments/{environment_id}/keys", CreateKeyAsync),
        Admin("ListKeys", HttpMethods.Get, "/environments/{environment_id}/keys", ListKeysAsync),
        Admin("RevokeKey", HttpMethods.Delete, "/keys/{key_id}", RevokeKeyAsync),
        Admin("GetUsage", HttpMethods.Get, "/environments/{environment_id}/usage", GetUsageAsync),
    ];

    private static MemicRoute Admin(string name, string method, string pattern, MemicHandler handler) =>
        new("Admin" + name, method, pattern, RouteAudience.Admin, RateLimit: null, handler);

    private static async Task<IResult> CreateOrganizationAsync(MemicRequest request)
    {
        var body = await request.BodyAsync();
        var name = body.ReadString("name", required: true, minLength: 1, maxLength: InputRules.MaxNameLength);
        body.ThrowIfInvalid();
        var organization = await request.Service<TenancyService>().CreateOrganizationAsync(name, request.Aborted);
        return Respond.Created(OrganizationResponse.From(organization));
    }

    private static async Task<IResult> CreateProjectAsync(MemicRequest request)
    {
        var body = await request.BodyAsync();
        var name = body.ReadString("name", required: true, minLength: 1, maxLength: InputRules.MaxNameLength);
        var organizationId = body.ReadUuid("organization_id");
        body.ThrowIfInvalid();
        var project = await request.Service<TenancyService>().CreateProjectAsync(name, organizationId, request.Aborted);
        return Respond.Created(ProjectResponse.From(project));
    }

    private static async Task<IResult> ListEnvironmentsAsync(MemicRequest request)
    {
        var environments = await request.Service<EnvironmentService>().ListAsync(request.Aborted);
        return Respond.Ok(environments.Select(EnvironmentResponse.From).ToArray());
    }

    private static async Task<IResult> CreateEnvironmentAsync(MemicRequest request)
    {
        var body = await request.BodyAsync();
        var slug = body.ReadString("slug", required: true, minLength: 1, maxLength: EnvironmentSlug.MaxLength);
        var name = body.ReadString("name", minLength: 1, maxLength: InputRules.MaxNameLength);
        var projectId = body.ReadUuid("project_id");
        body.ThrowIfInvalid();
        var created = await request.Service<EnvironmentService>().CreateAsync(slug, name, projectId, request.Aborted);
        // 202: still provisioning in the background; poll GET /environments/{id} until ready (docs/deploy.md).
        return created.IsReady
            ? Respond.Created(CreatedEnvironmentResponse.From(created))
            : Respond.Accepted(CreatedEnvironmentResponse.From(created));
    }

    private static async Task<IResult> GetEnvironmentAsync(MemicRequest request)
    {
        var environment = await request.Service<EnvironmentService>().GetAsync(request.RouteId("environment_id", "Environment"), request.Aborted);
        return Respond.Ok(EnvironmentResponse.From(environment));
    }

    private static async Task<IResult> DeleteEnvironmentAsync(MemicRequest request)
    {
        await request.Service<EnvironmentService>().DeleteAsync(request.RouteId("environment_id", "Environment"), request.Aborted);
        return Respond.NoContent();
    }

    private static async Task<IResult> CreateKeyAsync(MemicRequest request)
    {
        var environmentId = request.RouteId("environment_id", "Environment");
        var body = await request.BodyAsync();
        var name = body.ReadString("name", minLength: 1, maxLength: ApiKeyService.MaxKeyNameLength);
        body.ThrowIfInvalid();
        var issued = await request.Service<ApiKeyService>().CreateAsync(environmentId, name, request.Aborted);
        return Respond.Created(CreatedApiKeyResponse.From(issued));
    }

    private static async Task<IResult> ListKeysAsync(MemicRequest request)
    {
        var keys = await request.Service<ApiKeyService>().ListAsync(request.RouteId("environment_id", "Environment"), request.Aborted);
        return Respond.Ok(keys.Select(ApiKeyResponse.From).ToArray());
    }

    private static async Task<IResult> RevokeKeyAsync(MemicRequest request)
    {
        await request.Service<ApiKeyService>().RevokeAsync(request.RouteId("key_id", "Key"), request.Aborted);
        return Respond.NoContent();
    }

    private static async Task<IResult> GetUsageAsync(MemicRequest request)
    {
        var environment = await request.Service<EnvironmentService>().GetAsync(request.RouteId("environment_id", "Environment"), request.Aborted);
        var query = new QueryParameters(request.Http.Request.Query);
        var today = DateOnly.FromDateTime(request.Service<TimeProvider>().GetUtcNow().UtcDateTime);
        var to = query.ReadDate("to") ?? today;
        var from = query.ReadDate("from") ?? to.AddDays(-29);
        query.ThrowIfInvalid();
        if (from > to)
        {
            throw new ValidationException([new FieldError(["query", "from"], "from must not be after to.", "value_error")]);
        }

        var days = await request.Service<UsageMeter>().ReadAsync(environment.Id, from, to, request.Aborted);
        var total = new DailyUsage(to, days.Aggregate(new UsageCounters(), (sum, day) => sum.Plus(day.Counters)));
        return Respond.Ok(new UsageResponse(environment.Id, from, to, [.. days.Select(UsageDayResponse.From)], UsageDayResponse.From(total)));
    }
}
