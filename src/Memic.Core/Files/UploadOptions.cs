namespace Memic.Core.Files;

public sealed class UploadOptions
{
    public const string Section = "Memic:Uploads";

    /// <summary>Largest file accepted, in bytes (CONTRACT §3: 100 MB by default).</summary>
    public long MaxFileBytes { get; set; } = 100L * 1024 * 1024;

    /// <summary>How long an upload URL stays valid (CONTRACT §3: <c>expires_in</c> = 3600).</summary>
    public TimeSpan UrlLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Base64 HMAC key for upload URLs; set it in production (all instances must share it). When empty, one is
    /// generated once and kept in the catalog's host settings.
    /// </summary>
    public string? SigningKey { get; set; }

    /// <summary>Scheme and host upload URLs point at, e.g. behind a proxy; defaults to the request's own.</summary>
    public string? PublicBaseUrl { get; set; }
}
