using Memic.Core.Ports;

namespace Memic.Http.Routing;

/// <summary>
/// Says which organization an id in an admin route belongs to, so a signed-in user reaches only their organization's
/// things. One per route value; a route with an id nobody resolves is refused to signed-in users (fail closed), so a
/// new route must register its id here (as <c>connector_id</c> is) before the dashboard can use it.
/// </summary>
public interface IRouteIdOwner
{
    /// <summary>The route value, e.g. <c>environment_id</c>.</summary>
    string RouteValue { get; }

    /// <summary>The organization the id belongs to, or null when it names nothing.</summary>
    Task<Guid?> OrganizationOfAsync(Guid id, CancellationToken cancellationToken);
}

internal sealed class EnvironmentIdOwner(ITenancyCatalog tenancy) : IRouteIdOwner
{
    public string RouteValue => "environment_id";

    public async Task<Guid?> OrganizationOfAsync(Guid id, CancellationToken cancellationToken) =>
        (await tenancy.GetEnvironmentAsync(id, cancellationToken))?.OrganizationId;
}

internal sealed class KeyIdOwner(IKeyCatalog keys, ITenancyCatalog tenancy) : IRouteIdOwner
{
    public string RouteValue => "key_id";

    public async Task<Guid?> OrganizationOfAsync(Guid id, CancellationToken cancellationToken) =>
        await keys.GetKeyAsync(id, cancellationToken) is { } key
            ? (await tenancy.GetEnvironmentAsync(key.Info.EnvironmentId, cancellationToken))?.OrganizationId
            : null;
}

internal sealed class OrganizationIdOwner : IRouteIdOwner
{
    public string RouteValue => "organization_id";

    public Task<Guid?> OrganizationOfAsync(Guid id, CancellationToken cancellationToken) => Task.FromResult<Guid?>(id);
}

internal sealed class UserIdOwner(IUserCatalog users) : IRouteIdOwner
{
    public string RouteValue => "user_id";

    public async Task<Guid?> OrganizationOfAsync(Guid id, CancellationToken cancellationToken) =>
        (await users.GetUserAsync(id, cancellationToken))?.OrganizationId;
}

internal sealed class ConnectorIdOwner(IConnectorCatalog connectors, ITenancyCatalog tenancy) : IRouteIdOwner
{
    public string RouteValue => "connector_id";

    public async Task<Guid?> OrganizationOfAsync(Guid id, CancellationToken cancellationToken) =>
        await connectors.GetConnectorAsync(id, cancellationToken) is { } connector
            ? (await tenancy.GetEnvironmentAsync(connector.EnvironmentId, cancellationToken))?.OrganizationId
            : null;
}
