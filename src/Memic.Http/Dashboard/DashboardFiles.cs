using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Net.Http.Headers;

namespace Memic.Http.Dashboard;

/// <summary>
/// The dashboard's built files (src/Memic.Dashboard, embedded at build time), served at <c>/</c> by both hosts.
/// Vite names every asset after its content hash, so assets are cached for good and only <c>index.html</c> is
/// revalidated. A singleton: the files are read from the assembly once.
/// </summary>
public sealed class DashboardFiles
{
    /// <summary>Where the built assets live; everything else the dashboard needs is <c>index.html</c> at <c>/</c>.</summary>
    public const string AssetsPrefix = "assets/";

    private const string ResourcePrefix = "Memic.Dashboard/";
    private const string IndexPath = "index.html";

    private readonly FrozenDictionary<string, DashboardFile> _files = Load();

    /// <summary>The page at <c>/</c>.</summary>
    public IResult Index(HttpContext context) => File(context, IndexPath);

    /// <summary>A built file by its path under the site root (<c>""</c> is the page); unknown → the envelope's 404.</summary>
    public IResult File(HttpContext context, string? path)
    {
        ArgumentNullException.ThrowIfNull(context);
        path = string.IsNullOrEmpty(path) ? IndexPath : path;
        if (!_files.TryGetValue(path, out var file))
        {
            return Errors.ErrorResponses.ForStatus(StatusCodes.Status404NotFound, context);
        }

        var headers = context.Response.GetTypedHeaders();
        headers.ETag = file.ETag;
        headers.CacheControl = path == IndexPath
            ? new CacheControlHeaderValue { NoCache = true }
            : new CacheControlHeaderValue { Public = true, MaxAge = TimeSpan.FromDays(365), Extensions = { new NameValueHeaderValue("immutable") } };
        context.Response.Headers.XContentTypeOptions = "nosniff";
        if (path == IndexPath)
        {
            // The page only ever loads its own bundled script and stylesheet and talks to its own origin.
            context.Response.Headers.ContentSecurityPolicy =
                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
            context.Response.Headers.XFrameOptions = "DENY";
        }

        var requested = context.Request.GetTypedHeaders().IfNoneMatch;
        if (requested.Any(tag => tag.Compare(file.ETag, useStrongComparison: false)))
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        return Results.Bytes(file.Content, file.ContentType);
    }

    private static FrozenDictionary<string, DashboardFile> Load()
    {
        var assembly = typeof(DashboardFiles).Assembly;
        var types = new FileExtensionContentTypeProvider();
        var files = new Dictionary<string, DashboardFile>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            var path = name[ResourcePrefix.Length..];
            var content = Read(assembly, name);
            var contentType = types.TryGetContentType(path, out var known) ? known : "application/octet-stream";
            if (contentType.StartsWith("text/", StringComparison.Ordinal) || contentType.EndsWith("javascript", StringComparison.Ordinal))
            {
                contentType += "; charset=utf-8";
            }

            var etag = new EntityTagHeaderValue($"\"{Convert.ToHexStringLower(SHA256.HashData(content))[..16]}\"");
            files[path] = new DashboardFile(content, contentType, etag);
        }

        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static byte[] Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }

    private sealed record DashboardFile(byte[] Content, string ContentType, EntityTagHeaderValue ETag);
}
