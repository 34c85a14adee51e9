using Memic.Core.Connectors;
using Memic.Http.Contracts;
using Memic.Http.RateLimiting;
using Memic.Http.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Memic.Http.Endpoints;

/// <summary>Connectors (CONTRACT §14): admin CRUD and refresh, and the data plane's list of the key's environment.</summary>
internal static class ConnectorEndpoints
{
    public static IEnumerable<MemicRoute> Routes =>
    [
        new("ListConnectors", HttpMethods.Get, "/connectors", RouteAudience.DataPlane, RateLimitCategory.Lists, ListOwnAsync),
        AdminEndpoints.Admin("CreateConnector", HttpMethods.Post, "/environments/{environment_id}/connectors", CreateAsync),
        AdminEndpoints.Admin("ListConnectors", HttpMethods.Get, "/environments/{environment_id}/connectors", ListAsync),
        AdminEndpoints.Admin("GetConnector", HttpMethods.Get, "/connectors/{connector_id}", GetAsync),
        AdminEndpoints.Admin("DeleteConnector", HttpMethods.Delete, "/connectors/{connector_id}", DeleteAsync),
        AdminEndpoints.Admin("RefreshConnector", HttpMethods.Post, "/connectors/{connector_id}/refresh", RefreshAsync),
    ];

    private static async Task<Ok<ConnectorResponse[]>> ListOwnAsync(EnvironmentCaller caller, ConnectorService connectors, CancellationToken cancellationToken)
    {
        var all = await connectors.ListOwnAsync(caller.EnvironmentId, cancellationToken);
        return TypedResults.Ok(all.Select(ConnectorResponse.From).ToArray());
    }

    private static async Task<Created<ConnectorResponse>> CreateAsync(
        [FromRoute(Name = "environment_id")] Guid environmentId, [FromBody] CreateConnectorRequest body, ConnectorService connectors, CancellationToken cancellationToken)
    {
        var connector = await connectors.CreateAsync(environmentId, body.ToNewConnector(), cancellationToken);
        return TypedResults.Created((string?)null, ConnectorResponse.From(connector));
    }

    private static async Task<Ok<ConnectorResponse[]>> ListAsync(
        [FromRoute(Name = "environment_id")] Guid environmentId, ConnectorService connectors, CancellationToken cancellationToken)
    {
        var all = await connectors.ListAsync(environmentId, cancellationToken);
        return TypedResults.Ok(all.Select(ConnectorResponse.From).ToArray());
    }

    private static async Task<Ok<ConnectorResponse>> GetAsync(
        [FromRoute(Name = "connector_id")] Guid connectorId, ConnectorService connectors, CancellationToken cancellationToken) =>
        TypedResults.Ok(ConnectorResponse.From(await connectors.GetAsync(connectorId, cancellationToken)));

    private static async Task<NoContent> DeleteAsync(
        [FromRoute(Name = "connector_id")] Guid connectorId, ConnectorService connectors, CancellationToken cancellationToken)
    {
        await connectors.DeleteAsync(connectorId, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<ConnectorResponse>> RefreshAsync(
        [FromRoute(Name = "connector_id")] Guid connectorId, ConnectorService connectors, CancellationToken cancellationToken) =>
        TypedResults.Ok(ConnectorResponse.From(await connectors.RefreshAsync(connectorId, cancellationToken)));
}
