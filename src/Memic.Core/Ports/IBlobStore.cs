namespace Memic.Core.Ports;

/// <summary>
/// Streams under a container and a name. Writes are all-or-nothing: a failed or refused write leaves nothing behind.
/// Production: Azure Blob Storage; embedded: files under the data directory.
/// </summary>
public interface IBlobStore
{
    /// <summary>Stores the whole stream as the blob, replacing any previous one.</summary>
    Task WriteAsync(string container, string name, Stream content, CancellationToken cancellationToken);

    /// <summary>Opens the blob for reading, or returns null when it does not exist.</summary>
    Task<Stream?> OpenReadAsync(string container, string name, CancellationToken cancellationToken);

    /// <summary>The blob's size in bytes, or null when it does not exist.</summary>
    Task<long?> GetSizeAsync(string container, string name, CancellationToken cancellationToken);

    Task DeleteAsync(string container, string name, CancellationToken cancellationToken);

    /// <summary>Deletes every blob whose name starts with <paramref name="prefix"/>.</summary>
    Task DeletePrefixAsync(string container, string prefix, CancellationToken cancellationToken);
}
