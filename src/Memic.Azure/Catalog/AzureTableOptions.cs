namespace Memic.Azure.Catalog;

/// <summary>Where the catalog's tables are (CONTRACT §13: <c>Memic__Catalog__Provider=AzureTable</c>).</summary>
public sealed class AzureTableOptions
{
    public const string Section = "Memic:Catalog";

    /// <summary>The Table service endpoint, e.g. <c>https://&lt;account&gt;.table.core.windows.net</c>; reached with the managed identity.</summary>
    public Uri? ServiceUri { get; set; }

    /// <summary>Azurite only (e.g. <c>UseDevelopmentStorage=true</c>); Azure deployments use <see cref="ServiceUri"/>.</summary>
    public string? ConnectionString { get; set; }


    /// <summary>Starts the names of both tables (<c>&lt;prefix&gt;Tenancy</c>, <c>&lt;prefix&gt;EnvironmentData</c>), so deployments can share an account.</summary>
    public string TablePrefix { get; set; } = "Memic";
}
