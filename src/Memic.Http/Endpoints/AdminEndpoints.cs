using Memic.Core.Errors;
using Memic.Core.Keys;
using Memic.Core.Ports;
using Memic.Core.Quotas;
using Memic.Core.Tenancy;
using Memic.Core.Usage;
using Memic.Http.Contracts;
using Memic.Http.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Memic.Http.Endpoints;

/// <summary>
/// The management API (CONTRACT §10), for the admin key or a signed-in user of the organization (docs/dashboard-auth.md):
/// ids in the route are scoped by the authentication filter; handlers taking an <see cref="AdminCaller"/> scope the rest.
/// </summary>
internal static class AdminEndpoints
{
    public static IEnumerable<MemicRoute> Routes =>
    [
        Admin("CreateOrganization", HttpMethods.Post, "/organizations", CreateOrganizationAsync),
        Admin("CreateProject", HttpMethods.Post, "/projects", CreateProjectAsync),
        Admin("ListProjects", HttpMethods.Get, "/projects", ListProjectsAsync),
        Admin("ListEnvironments", HttpMethods.Get, "/environments", ListEnvironmentsAsync),
        Admin("CreateEnvironment", HttpMethods.Post, "/environments", CreateEnvironmentAsync),
        Admin("GetEnvironment", HttpMethods.Get, "/environments/{environment_id}", GetEnvironmentAsync),
        Admin("UpdateEnvironment", HttpMethods.Patch, "/environments/{environment_id}", UpdateEnvironmentAsync),
        Admin("DeleteEnvironment", HttpMethods.Delete, "/environments/{environment_id}", DeleteEnvironmentAsync),
        Admin("CreateKey", HttpMethods.Post, "/environments/{environment_id}/keys", CreateKeyAsync),
        Admin("ListKeys", HttpMethods.Get, "/environments/{environment_id}/keys", ListKeysAsync),
        Admin("RevokeKey", HttpMethods.Delete, "/keys/{key_id}", RevokeKeyAsync),
        Admin("GetUsage", HttpMethods.Get, "/environments/{environment_id}/usage", GetUsageAsync),
        Admin("GetQuotas", HttpMethods.Get, "/environments/{environment_id}/quotas", GetQuotasAsync),
        Admin("SetQuotas", HttpMethods.Put, "/environments/{environment_id}/quotas", SetQuotasAsync),
        Admin("ExportUsage", HttpMethods.Get, "/usage", ExportUsageAsync),
    ];

    public static MemicRoute Admin(string name, string method, string pattern, Delegate handler) =>
        new("Admin" + name, method, pattern, RouteAudience.Admin, RateLimit: null, handler);

    /// <summary>Organizations are made by the admin key only: a user belongs to one and cannot make another.</summary>
    private static async Task<Created<OrganizationResponse>> CreateOrganizationAsync(
        [FromBody] CreateOrganizationRequest body, AdminCaller caller, TenancyService tenancy, CancellationToken cancellationToken)
    {
        if (!caller.IsSuperuser)
        {
            throw new ForbiddenException("Only the admin key creates organizations.");
        }

        var organization = await tenancy.CreateOrganizationAsync(body.Name, cancellationToken);
        return TypedResults.Created((string?)null, OrganizationResponse.From(organization));
    }

    /// <summary>A user's project goes in their organization, named or not.</summary>
    private static async Task<Created<ProjectResponse>> CreateProjectAsync(
        [FromBody] CreateProjectRequest body, AdminCaller caller, TenancyService tenancy, CancellationToken cancellationToken)
    {
        var organizationId = body.OrganizationId ?? caller.User?.OrganizationId;
        if (organizationId is { } id)
        {
            caller.RequireSees(id, "Organization", id);
        }

        var project = await tenancy.CreateProjectAsync(body.Name, organizationId, cancellationToken);
        return TypedResults.Created((string?)null, ProjectResponse.From(project));
    }

    /// <summary>The projects of the caller's organization (the admin key: of <c>organization_id</c>, else the default one).</summary>
    private static async Task<Ok<ProjectResponse[]>> ListProjectsAsync(
        [AsParameters] ProjectsQuery query, AdminCaller caller, TenancyService tenancy, ITenancyCatalog catalog, CancellationToken cancellationToken)
    {
        var organizationId = query.OrganizationId ?? caller.User?.OrganizationId ?? (await catalog.GetDefaultOrganizationAsync(cancellationToken))?.Id;
        if (organizationId is not { } id)
        {
            return TypedResults.Ok(Array.Empty<ProjectResponse>());
        }

        caller.RequireSees(id, "Organization", id);
        var projects = await tenancy.ListProjectsAsync(id, cancellationToken);
        return TypedResults.Ok(projects.Select(ProjectResponse.From).ToArray());
    }

    private static async Task<Ok<EnvironmentResponse[]>> ListEnvironmentsAsync(AdminCaller caller, EnvironmentService environments, CancellationToken cancellationToken)
    {
        var all = await environments.ListAsync(cancellationToken);
        return TypedResults.Ok(all.Where(e => caller.Sees(e.OrganizationId)).Select(EnvironmentResponse.From).ToArray());
    }

    /// <summary>201 when ready at once; 202 while it provisions in the background (poll GET /environments/{id}, docs/deploy.md).</summary>
    private static async Task<Results<Created<CreatedEnvironmentResponse>, Accepted<CreatedEnvironmentResponse>>> CreateEnvironmentAsync(
        [FromBody] CreateEnvironmentRequest body, AdminCaller caller, EnvironmentService environments, ITenancyCatalog catalog, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var expiresAt = EnvironmentLifetime.ExpiryFrom(body.ExpiresAt, body.TtlHours, time.GetUtcNow());
        var projectId = await ProjectForAsync(body.ProjectId, caller, catalog, cancellationToken);
        var created = await environments.CreateAsync(body.Slug, body.Name, projectId, expiresAt, cancellationToken);
        var response = CreatedEnvironmentResponse.From(created);
        return created.IsReady ? TypedResults.Created((string?)null, response) : TypedResults.Accepted((string?)null, response);
    }

    /// <summary>Renews (<c>expires_at</c> or <c>ttl_hours</c>) or clears (neither) the environment's lifetime (CONTRACT §16).</summary>
    private static async Task<Ok<EnvironmentResponse>> UpdateEnvironmentAsync(
        [FromRoute(Name = "environment_id")] Guid environmentId, [FromBody] UpdateEnvironmentRequest body, EnvironmentService environments, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var expiresAt = EnvironmentLifetime.ExpiryFrom(body.ExpiresAt, body.TtlHours, time.GetUtcNow());
        var environment = await environments.SetExpiryAsync(environmentId, expiresAt, cancellationToken);
        return TypedResults.Ok(EnvironmentResponse.From(environment));
    }

    /// <summary>
    /// The project a new environment goes in: the one named, if the caller sees it; else the default project, or for a
    /// user of another organization, their organization's first project.
    /// </summary>
    private static async Task<Guid?> ProjectForAsync(Guid? projectId, AdminCaller caller, ITenancyCatalog catalog, CancellationToken cancellationToken)
    {
        if (projectId is { } id)
        {
            var project = await catalog.GetProjectAsync(id, cancellationToken) ?? throw NotFoundException.Resource("Project", id);
            caller.RequireSees(project.OrganizationId, "Project", id);
            return id;
        }

        if (caller.User is not { } user || (await catalog.GetDefaultProjectAsync(cancellationToken))?.OrganizationId == user.OrganizationId)
        {
            return null;
        }

        var projects = await catalog.ListProjectsAsync(user.OrganizationId, cancellationToken);
        return projects.Count > 0
            ? projects[0].Id
            : throw new NotFoundException(ErrorCodes.NotFound, "Your organization has no project yet; create one with POST /projects.");
    }

    private static async Task<Ok<EnvironmentResponse>> GetEnvironmentAsync(
        [FromRoute(Name = "environment_id")] Guid environmentId, EnvironmentService environments, CancellationToken cancellationToken)
    {
        var environment = await environments.GetAsync(environmentId, cancellationToken);
        return TypedResults.Ok(EnvironmentResponse.From(environment));
    }

    private static async Task<NoContent> DeleteEnvironmentAsync(
        [FromRoute(Name = "environment_id")] Guid environmentId, EnvironmentService environments, CancellationToken cancellationToken)
    {
        await environments.DeleteAsync(environmentId, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Created<CreatedApiKeyResponse>> CreateKeyAsync(
        [FromRoute(Name = "environment_id")] Guid environmentId, [FromBody] CreateKeyRequest body, ApiKeyService keys, CancellationToken cancellationToken)
    {
        var issued = await keys.CreateAsync(environmentId, body.Name, cancellationToken);
        return TypedResults.Created((string?)null, CreatedApiKeyResponse.From(issued));
    }

    private static async Task<Ok<ApiKeyResponse[]>> ListKeysAsync(
        [FromRoute(Name = "environment_id")] Guid environmentId, ApiKeyService keys, CancellationToken cancellationToken)
    {
        var all = await keys.ListAsync(environmentId, cancellationToken);
        return TypedResults.Ok(all.Select(ApiKeyResponse.From).ToArray());
    }

    private static async Task<NoContent> RevokeKeyAsync(
        [FromRoute(Name = "key_id")] Guid keyId, ApiKeyService keys, CancellationToken cancellationToken)
    {
        await keys.RevokeAsync(keyId, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<UsageResponse>> GetUsageAsync(
        [FromRoute(Name = "environment_id")] Guid environmentId, [AsParameters] UsageQuery query,
        EnvironmentService environments, UsageMeter usage, TimeProvider time, CancellationToken cancellationToken)
    {
        var environment = await environments.GetAsync(environmentId, cancellationToken);
        var to = query.To ?? DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var from = query.From ?? to.AddDays(-29);
        if (from > to)
        {
            throw new ValidationException([new FieldError(["query", "from"], "from must not be after to.", "value_error")]);
        }

        var days = await usage.ReadAsync(environment.Id, from, to, cancellationToken);
        var total = new DailyUsage(to, days.Aggregate(new UsageCounters(), (sum, day) => sum.Plus(day.Counters)));
        return TypedResults.Ok(new UsageResponse(environment.Id, from, to, [.. days.Select(UsageDayResponse.From)], UsageDayResponse.From(total)));
    }

    private static async Task<Ok<QuotasResponse>> GetQuotasAsync(
        [FromRoute(Name = "environment_id")] Guid environmentId, EnvironmentService environments, QuotaService quotas, CancellationToken cancellationToken)
    {
        var environment = await environments.GetAsync(environmentId, cancellationToken);
        return TypedResults.Ok(QuotasResponse.From(environment.Id, await quotas.GetAsync(environment.Id, cancellationToken)));
    }

    private static async Task<Ok<QuotasResponse>> SetQuotasAsync(
        [FromRoute(Name = "environment_id")] Guid environmentId, [FromBody] SetQuotasRequest body,
        EnvironmentService environments, QuotaService quotas, CancellationToken cancellationToken)
    {
        var environment = await environments.GetAsync(environmentId, cancellationToken);
        return TypedResults.Ok(QuotasResponse.From(environment.Id, await quotas.SetAsync(environment.Id, body.ToQuotas(), cancellationToken)));
    }

    /// <summary>The billing export (CONTRACT §17, docs/billing.md): every environment's usage per day or hour.</summary>
    private static async Task<Results<Ok<UsageExportResponse>, ContentHttpResult>> ExportUsageAsync(
        [AsParameters] UsageExportQuery query, UsageExport export, TimeProvider time, CancellationToken cancellationToken)
    {
        var to = query.To ?? DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var from = query.From ?? new DateOnly(to.Year, to.Month, 1);
        var maxDays = query.Granularity == UsageGranularity.Hour ? MaxExportDaysByHour : MaxExportDaysByDay;
        if (from > to)
        {
            throw new ValidationException([new FieldError(["query", "from"], "from must not be after to.", "value_error")]);
        }

        if (to.DayNumber - from.DayNumber + 1 > maxDays)
        {
            throw new ValidationException([new FieldError(["query", "to"], $"At most {maxDays} days can be exported at {query.Granularity.ToString().ToLowerInvariant()} granularity at once.", "value_error")]);
        }

        var rows = (await export.ExportAsync(StartOf(from), StartOf(to.AddDays(1)), query.Granularity, cancellationToken))
            .Select(UsageExportRowResponse.From)
            .ToList();
        return query.Format == UsageExportFormat.Csv
            ? TypedResults.Text(UsageExportRowResponse.Csv(rows), "text/csv; charset=utf-8")
            : TypedResults.Ok(new UsageExportResponse(from, to, query.Granularity, rows));
    }

    private const int MaxExportDaysByDay = 366;
    private const int MaxExportDaysByHour = 31;

    private static DateTimeOffset StartOf(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
}
