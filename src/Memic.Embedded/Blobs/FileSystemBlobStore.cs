using System.Text.RegularExpressions;
using Memic.Core.Ports;
using Microsoft.Extensions.Options;

namespace Memic.Embedded.Blobs;

/// <summary>
/// Blobs as files under <c>&lt;data&gt;/blobs/&lt;container&gt;/&lt;name&gt;</c>. A write goes to a temporary file
/// that is renamed into place only when complete, so a refused or broken upload leaves nothing behind.
/// </summary>
public sealed partial class FileSystemBlobStore(IOptions<EmbeddedOptions> options) : IBlobStore
{
    private const string TempSuffix = ".partial";
    private readonly string _root = Path.Combine(options.Value.FullDataDirectory, "blobs");

    public async Task WriteAsync(string container, string name, Stream content, CancellationToken cancellationToken)
    {
        var path = PathOf(container, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = $"{path}.{Guid.NewGuid():N}{TempSuffix}";
        try
        {
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous))
            {
                await content.CopyToAsync(file, cancellationToken);
                await file.FlushAsync(cancellationToken);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    public Task<Stream?> OpenReadAsync(string container, string name, CancellationToken cancellationToken)
    {
        try
        {
            Stream stream = new FileStream(PathOf(container, name), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 81920, FileOptions.Asynchronous);
            return Task.FromResult<Stream?>(stream);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return Task.FromResult<Stream?>(null);
        }
    }

    public Task<long?> GetSizeAsync(string container, string name, CancellationToken cancellationToken)
    {
        var info = new FileInfo(PathOf(container, name));
        return Task.FromResult<long?>(info.Exists ? info.Length : null);
    }

    public Task DeleteAsync(string container, string name, CancellationToken cancellationToken)
    {
        try
        {
            File.Delete(PathOf(container, name));
        }
        catch (DirectoryNotFoundException)
        {
            // Nothing was ever stored under the environment (a file deleted before its upload): nothing to delete.
        }

        return Task.CompletedTask;
    }

    public Task DeletePrefixAsync(string container, string prefix, CancellationToken cancellationToken)
    {
        var containerPath = PathOf(container, null);
        if (!Directory.Exists(containerPath))
        {
            return Task.CompletedTask;
        }

        // Names are '/'-separated; a prefix ending in '/' is a whole directory.
        if (prefix.EndsWith('/') && Directory.Exists(PathOf(container, prefix.TrimEnd('/'))))
        {
            Directory.Delete(PathOf(container, prefix.TrimEnd('/')), recursive: true);
            return Task.CompletedTask;
        }

        foreach (var file in Directory.EnumerateFiles(containerPath, "*", SearchOption.AllDirectories))
        {
            var name = Path.GetRelativePath(containerPath, file).Replace(Path.DirectorySeparatorChar, '/');
            if (name.StartsWith(prefix, StringComparison.Ordinal))
            {
                File.Delete(file);
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>Maps a container and name to a path under the root, refusing anything that could escape it.</summary>
    private string PathOf(string container, string? name)
    {
        if (!ContainerPattern().IsMatch(container))
        {
            throw new ArgumentException($"Invalid container name '{container}'.", nameof(container));
        }

        if (name is null)
        {
            return Path.Combine(_root, container);
        }

        var segments = name.Split('/');
        if (segments.Any(s => !SegmentPattern().IsMatch(s) || s is "." or ".."))
        {
            throw new ArgumentException("Invalid blob name.", nameof(name));
        }

        return Path.Combine([_root, container, .. segments]);
    }

    [GeneratedRegex(@"^[a-z0-9][a-z0-9-]{2,62}\z", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex ContainerPattern();

    [GeneratedRegex(@"^[A-Za-z0-9._-]{1,200}\z", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex SegmentPattern();
}
