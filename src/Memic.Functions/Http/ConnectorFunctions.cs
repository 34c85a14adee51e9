using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Memic.Functions.Http;

/// <summary>Connectors (CONTRACT §14): the data plane's list and the admin API's CRUD and refresh.</summary>
public sealed class ConnectorFunctions(SharedRoutes routes)
{
    [Function("ListConnectors")]
    public Task<IResult> ListConnectors([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = RoutePrefixes.Docs + "connectors")] HttpRequest request) =>
        routes.RunAsync("ListConnectors", request);

    [Function("SdkListConnectors")]
    public Task<IResult> SdkListConnectors([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = RoutePrefixes.Sdk + "connectors")] HttpRequest request) =>
        routes.RunAsync("ListConnectors", request);

    [Function("AdminCreateConnector")]
    public Task<IResult> AdminCreateConnector([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = RoutePrefixes.Admin + "environments/{environment_id}/connectors")] HttpRequest request) =>
        routes.RunAsync("AdminCreateConnector", request);

    [Function("AdminListConnectors")]
    public Task<IResult> AdminListConnectors([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = RoutePrefixes.Admin + "environments/{environment_id}/connectors")] HttpRequest request) =>
        routes.RunAsync("AdminListConnectors", request);

    [Function("AdminGetConnector")]
    public Task<IResult> AdminGetConnector([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = RoutePrefixes.Admin + "connectors/{connector_id}")] HttpRequest request) =>
        routes.RunAsync("AdminGetConnector", request);

    [Function("AdminDeleteConnector")]
    public Task<IResult> AdminDeleteConnector([HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = RoutePrefixes.Admin + "connectors/{connector_id}")] HttpRequest request) =>
        routes.RunAsync("AdminDeleteConnector", request);

    [Function("AdminRefreshConnector")]
    public Task<IResult> AdminRefreshConnector([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = RoutePrefixes.Admin + "connectors/{connector_id}/refresh")] HttpRequest request) =>
        routes.RunAsync("AdminRefreshConnector", request);
}
