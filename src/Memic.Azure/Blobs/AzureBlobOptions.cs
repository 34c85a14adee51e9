namespace Memic.Azure.Blobs;

/// <summary>Where uploaded blobs are (CONTRACT §13: <c>Memic__Blobs__Provider=AzureBlob</c>).</summary>
public sealed class AzureBlobOptions
{
    public const string Section = "Memic:Blobs";

    /// <summary>The Blob service endpoint, e.g. <c>https://&lt;account&gt;.blob.core.windows.net</c>; reached with the managed identity.</summary>
    public Uri? ServiceUri { get; set; }

    /// <summary>Azurite only (e.g. <c>UseDevelopmentStorage=true</c>); Azure deployments use <see cref="ServiceUri"/>.</summary>
    public string? ConnectionString { get; set; }
}
