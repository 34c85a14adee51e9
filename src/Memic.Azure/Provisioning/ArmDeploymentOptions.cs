namespace Memic.Azure.Provisioning;

/// <summary>
/// Where and how <see cref="ArmSearchServiceDeployer"/> deploys another search service of the pool: the resource group
/// that holds the pool, and the size of each new service (the parameters of infra/search-service.bicep).
/// </summary>
public sealed class ArmDeploymentOptions
{
    public const string Section = "Memic:Search:Deployment";

    /// <summary>The subscription of the resource group, a GUID.</summary>
    public string? SubscriptionId { get; set; }

    /// <summary>The resource group new services are deployed into, e.g. <c>rg-memic-prod</c>.</summary>
    public string? ResourceGroup { get; set; }

    /// <summary>Region of new services; empty deploys them in the resource group's region.</summary>
    public string? Location { get; set; }

    /// <summary><c>free</c>, <c>basic</c>, <c>standard</c>, <c>standard2</c>, <c>standard3</c>, <c>storage_optimized_l1</c> or <c>storage_optimized_l2</c>.</summary>
    public string Sku { get; set; } = "basic";

    public int ReplicaCount { get; set; } = 1;

    /// <summary>1, 2, 3, 4, 6 or 12.</summary>
    public int PartitionCount { get; set; } = 1;

    /// <summary><c>Default</c>, or <c>HighDensity</c> (standard3 only: 1000 indexes per partition).</summary>
    public string HostingMode { get; set; } = "Default";

    /// <summary><c>disabled</c>, <c>free</c> or <c>standard</c>; ignored on the free tier, which has no semantic ranker.</summary>
    public string SemanticRanker { get; set; } = "free";

    /// <summary>When set, new services are tagged <c>azd-env-name</c> with it, like everything else azd provisioned.</summary>
    public string? AzdEnvironmentName { get; set; }

    /// <summary>Azure Resource Manager; another cloud's (e.g. https://management.usgovcloudapi.net) also sets the token audience.</summary>
    public Uri ArmEndpoint { get; set; } = new("https://management.azure.com");


    /// <summary>How long one call waits for ARM to finish; a new search service usually takes 5 to 20 minutes.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromHours(1);
}
