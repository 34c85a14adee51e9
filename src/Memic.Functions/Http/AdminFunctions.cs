using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Memic.Functions.Http;

/// <summary>The management API (CONTRACT §10): organizations, projects, environments, keys, usage and quotas (§17).</summary>
public sealed class AdminFunctions(SharedRoutes routes)
{
    [Function("AdminCreateOrganization")]
    public Task<IResult> AdminCreateOrganization([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = RoutePrefixes.Admin + "organizations")] HttpRequest request) =>
        routes.RunAsync("AdminCreateOrganization", request);

    [Function("AdminCreateProject")]
    public Task<IResult> AdminCreateProject([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = RoutePrefixes.Admin + "projects")] HttpRequest request) =>
        routes.RunAsync("AdminCreateProject", request);

    [Function("AdminListProjects")]
    public Task<IResult> AdminListProjects([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = RoutePrefixes.Admin + "projects")] HttpRequest request) =>
        routes.RunAsync("AdminListProjects", request);

    [Function("AdminListEnvironments")]
    public Task<IResult> AdminListEnvironments([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = RoutePrefixes.Admin + "environments")] HttpRequest request) =>
        routes.RunAsync("AdminListEnvironments", request);

    [Function("AdminCreateEnvironment")]
    public Task<IResult> AdminCreateEnvironment([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = RoutePrefixes.Admin + "environments")] HttpRequest request) =>
        routes.RunAsync("AdminCreateEnvironment", request);

    [Function("AdminGetEnvironment")]
    public Task<IResult> AdminGetEnvironment([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = RoutePrefixes.Admin + "environments/{environment_id}")] HttpRequest request) =>
        routes.RunAsync("AdminGetEnvironment", request);

    [Function("AdminUpdateEnvironment")]
    public Task<IResult> AdminUpdateEnvironment([HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = RoutePrefixes.Admin + "environments/{environment_id}")] HttpRequest request) =>
        routes.RunAsync("AdminUpdateEnvironment", request);

    [Function("AdminDeleteEnvironment")]
    public Task<IResult> AdminDeleteEnvironment([HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = RoutePrefixes.Admin + "environments/{environment_id}")] HttpRequest request) =>
        routes.RunAsync("AdminDeleteEnvironment", request);

    [Function("AdminCreateKey")]
    public Task<IResult> AdminCreateKey([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = RoutePrefixes.Admin + "environments/{environment_id}/keys")] HttpRequest request) =>
        routes.RunAsync("AdminCreateKey", request);

    [Function("AdminListKeys")]
    public Task<IResult> AdminListKeys([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = RoutePrefixes.Admin + "environments/{environment_id}/keys")] HttpRequest request) =>
        routes.RunAsync("AdminListKeys", request);

    [Function("AdminRevokeKey")]
    public Task<IResult> AdminRevokeKey([HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = RoutePrefixes.Admin + "keys/{key_id}")] HttpRequest request) =>
        routes.RunAsync("AdminRevokeKey", request);

    [Function("AdminGetUsage")]
    public Task<IResult> AdminGetUsage([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = RoutePrefixes.Admin + "environments/{environment_id}/usage")] HttpRequest request) =>
        routes.RunAsync("AdminGetUsage", request);

    [Function("AdminGetQuotas")]
    public Task<IResult> AdminGetQuotas([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = RoutePrefixes.Admin + "environments/{environment_id}/quotas")] HttpRequest request) =>
        routes.RunAsync("AdminGetQuotas", request);

    [Function("AdminSetQuotas")]
    public Task<IResult> AdminSetQuotas([HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = RoutePrefixes.Admin + "environments/{environment_id}/quotas")] HttpRequest request) =>
        routes.RunAsync("AdminSetQuotas", request);

    [Function("AdminExportUsage")]
    public Task<IResult> AdminExportUsage([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = RoutePrefixes.Admin + "usage")] HttpRequest request) =>
        routes.RunAsync("AdminExportUsage", request);
}
