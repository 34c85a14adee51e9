namespace Memic.Azure.Search.Pool;

/// <summary>The pool of Azure AI Search services environments' indexes are placed on (<c>Memic:Search</c>).</summary>
public sealed class SearchPoolOptions
{
    public const string Section = "Memic:Search";

    /// <summary>Services configured by the deployment, filled in this order (<c>Memic:Search:Services:0:Endpoint</c> …).</summary>
    public List<SearchServiceOptions> Services { get; set; } = [];

    /// <summary>Indexes a service deployed by pool growth may hold (S1: 50).</summary>
    public int GrowthIndexCapacity { get; set; } = 50;

    /// <summary>Search units (replicas × partitions) of a grown service; its create-index budget scales with them.</summary>
    public int GrowthSearchUnits { get; set; } = 1;

    /// <summary>Grown services are named this plus a two-digit number; search service names are global in Azure, so make it yours.</summary>
    public string GrowthNamePrefix { get; set; } = "memic-search-";

    /// <summary>The pool never holds more services than this, configured ones included; 0 turns growth off.</summary>
    public int MaxServices { get; set; } = 10;
}

/// <summary>One configured search service.</summary>
public sealed class SearchServiceOptions
{
    /// <summary>The service's name; when empty, the first label of <see cref="Endpoint"/>'s host (Azure's own service name).</summary>
    public string? Name { get; set; }

    /// <summary>e.g. <c>https://&lt;service&gt;.search.windows.net</c>.</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>How many environments' indexes it may hold (S1 50, S2/S3 200, S3 HD 1000 per partition).</summary>
    public int IndexCapacity { get; set; }

    /// <summary>Replicas × partitions; Azure AI Search accepts 12 create-index calls per minute per search unit.</summary>
    public int SearchUnits { get; set; } = 1;

    /// <summary>The name the pool knows the service by.</summary>
    public string EffectiveName => string.IsNullOrWhiteSpace(Name) ? Endpoint?.Host.Split('.')[0] ?? "" : Name;
}
