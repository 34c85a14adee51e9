using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Memic.Azure.Internals;
using Memic.Core.Errors;
using Memic.Core.Ports;

namespace Memic.Azure.Blobs;

/// <summary>
/// Blobs in Azure Blob Storage (uploads land in container <c>uploads</c> as <c>&lt;environment_id&gt;/&lt;file_id&gt;</c>).
/// A write is all-or-nothing: a stream that fits one block goes up in a single Put Blob, a longer one is staged as
/// uncommitted blocks and made the blob only by the final Put Block List, once the source stream has ended. A write
/// that fails or is refused before that leaves the previous blob, or none, in place; its staged blocks are invisible
/// and the service discards them after a week. Containers are created on first write.
/// </summary>
public sealed class AzureBlobStore : IBlobStore
{
    /// <summary>4 MiB: the SDK's own default block, a fair trade between round trips and memory per upload.</summary>
    internal const int DefaultBlockSize = 4 * 1024 * 1024;

    private const int DeleteParallelism = 8;

    private readonly BlobServiceClient _service;
    private readonly int _blockSize;
    private readonly ConcurrentDictionary<string, Task> _containers = new(StringComparer.Ordinal);

    /// <param name="service">The account's client, registered through Microsoft.Extensions.Azure from <see cref="AzureBlobOptions"/>.</param>
    public AzureBlobStore(BlobServiceClient service)
        : this(service, DefaultBlockSize)
    {
    }

    /// <param name="blockSize">Smaller in tests, so a few kilobytes exercise the staged path.</param>
    internal AzureBlobStore(BlobServiceClient service, int blockSize)
    {
        ArgumentNullException.ThrowIfNull(service);
        _service = service;
        _blockSize = blockSize;
    }

    public async Task WriteAsync(string container, string name, Stream content, CancellationToken cancellationToken)
    {
        await EnsureContainerAsync(container, cancellationToken);
        var blob = _service.GetBlobContainerClient(container).GetBlockBlobClient(name);
        var buffer = ArrayPool<byte>.Shared.Rent(_blockSize);
        try
        {
            var length = await FillAsync(content, buffer, cancellationToken);
            if (length < _blockSize)
            {
                // The stream ended within one block: a single request that replaces the blob whole.
                using var whole = new MemoryStream(buffer, 0, length, writable: false);
                await blob.UploadAsync(whole, new BlobUploadOptions(), cancellationToken);
                return;
            }

            // Block ids unique to this write, so a concurrent write of the same name cannot commit our blocks or we theirs.
            var writeId = Guid.NewGuid().ToString("N");
            var blocks = new List<string>();
            while (length > 0)
            {
                var blockId = BlockId(writeId, blocks.Count);
                using (var block = new MemoryStream(buffer, 0, length, writable: false))
                {
                    await blob.StageBlockAsync(blockId, block, new BlockBlobStageBlockOptions(), cancellationToken);
                }

                blocks.Add(blockId);
                length = await FillAsync(content, buffer, cancellationToken);
            }

            await blob.CommitBlockListAsync(blocks, new CommitBlockListOptions(), cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.ContainerNotFound)
        {
            // Deleted behind this process's back: forget it was created, so the next write creates it again.
            _containers.TryRemove(container, out _);
            throw new TransientException($"Container '{container}' disappeared during a write; retry.", ex);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>A seekable stream that reads ranges on demand, pinned to the blob version it opened (a replaced blob fails the read rather than mixing versions).</summary>
    public async Task<Stream?> OpenReadAsync(string container, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await Blob(container, name).OpenReadAsync(new BlobOpenReadOptions(allowModifications: false), cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    public async Task<long?> GetSizeAsync(string container, string name, CancellationToken cancellationToken)
    {
        try
        {
            var properties = await Blob(container, name).GetPropertiesAsync(cancellationToken: cancellationToken);
            return properties.Value.ContentLength;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    public async Task DeleteAsync(string container, string name, CancellationToken cancellationToken)
    {
        try
        {
            await Blob(container, name).DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // The container is gone, and the blob with it.
        }
    }

    /// <summary>Lists the blobs under the prefix and deletes them a few at a time; a blob deleted meanwhile is no error.</summary>
    public async Task DeletePrefixAsync(string container, string prefix, CancellationToken cancellationToken)
    {
        var client = _service.GetBlobContainerClient(container);
        try
        {
            var names = client.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix }, cancellationToken).Select(b => b.Name);
            await Parallel.ForEachAsync(
                names,
                new ParallelOptions { MaxDegreeOfParallelism = DeleteParallelism, CancellationToken = cancellationToken },
                async (name, ct) => await DeleteAsync(container, name, ct));
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // No container, so nothing under the prefix.
        }
    }

    private BlobClient Blob(string container, string name) => _service.GetBlobContainerClient(container).GetBlobClient(name);

    /// <summary>Creates the container once per process; a failed attempt is retried by the next write.</summary>
    private Task EnsureContainerAsync(string container, CancellationToken cancellationToken)
    {
        var creation = _containers.AddOrUpdate(
            container,
            CreateContainerAsync,
            (name, existing) => existing.IsFaulted || existing.IsCanceled ? CreateContainerAsync(name) : existing);
        return creation.WaitAsync(cancellationToken);
    }

    private Task CreateContainerAsync(string container) =>
        _service.GetBlobContainerClient(container).CreateIfNotExistsAsync();

    /// <summary>Reads until the buffer is full or the stream ends; returns how many bytes it holds.</summary>
    private async Task<int> FillAsync(Stream content, byte[] buffer, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < _blockSize)
        {
            var read = await content.ReadAsync(buffer.AsMemory(filled, _blockSize - filled), cancellationToken);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        return filled;
    }

    /// <summary>Block ids of one blob must all have the same length: the write's id plus a fixed-width index, base64-encoded.</summary>
    private static string BlockId(string writeId, int index) =>
        Convert.ToBase64String(Encoding.ASCII.GetBytes(writeId + index.ToString("D6", CultureInfo.InvariantCulture)));
}
