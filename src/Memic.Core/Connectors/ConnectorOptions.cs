namespace Memic.Core.Connectors;

/// <summary>Limits of connectors and structured search, bound from <c>Memic:Connectors</c> (CONTRACT §14).</summary>
public sealed class ConnectorOptions
{
    public const string Section = "Memic:Connectors";

    /// <summary>How long one generated query may run on the customer's database (PostgreSQL <c>statement_timeout</c>).</summary>
    public TimeSpan StatementTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Most rows a structured result carries; more sets <c>truncated</c>.</summary>
    public int MaxRows { get; set; } = 200;

    /// <summary>How long connecting to a customer's database may take.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Whether connectors may reach loopback, private and link-local addresses. Off for hosted deployments (a tenant must
    /// not reach the host's own network); the local server turns it on, since there the database is usually next door.
    /// </summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>
    /// How long a search reuses an environment's list of connectors instead of reading the catalog again; zero reads it
    /// on every search. Changes through this instance apply at once; other instances see them within this time.
    /// </summary>
    public TimeSpan RoutingCacheDuration { get; set; } = TimeSpan.FromSeconds(30);
}
