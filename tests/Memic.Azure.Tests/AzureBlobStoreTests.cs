using System.Security.Cryptography;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Memic.Azure.Blobs;

namespace Memic.Azure.Tests;

public sealed class AzureBlobStoreTests : IAsyncLifetime
{
    /// <summary>Small blocks, so a few kilobytes take the staged path that big uploads take in production.</summary>
    private const int BlockSize = 4096;

    private readonly string _container = Azurite.UniqueName("blobs");
    private readonly AzureBlobStore _store = new(Azurite.BlobService(), BlockSize);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private bool _azuriteUp;

    public async ValueTask InitializeAsync()
    {
        await Azurite.RequireAsync();
        _azuriteUp = true;
    }

    public async ValueTask DisposeAsync()
    {
        if (_azuriteUp)
        {
            await new BlobServiceClient(Azurite.ConnectionString).GetBlobContainerClient(_container).DeleteIfExistsAsync();
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    [InlineData(BlockSize)]
    [InlineData(3 * BlockSize + 17)]
    public async Task Written_bytes_read_back_exactly_in_one_request_or_in_blocks(int length)
    {
        var bytes = RandomNumberGenerator.GetBytes(length);

        await _store.WriteAsync(_container, "env/file", new MemoryStream(bytes), Ct);

        Assert.Equal(length, await _store.GetSizeAsync(_container, "env/file", Ct));
        Assert.Equal(bytes, await ReadAllAsync("env/file"));
    }

    [Fact]
    public async Task A_write_replaces_the_previous_blob_whole()
    {
        await _store.WriteAsync(_container, "env/file", new MemoryStream(RandomNumberGenerator.GetBytes(3 * BlockSize)), Ct);
        var replacement = RandomNumberGenerator.GetBytes(10);

        await _store.WriteAsync(_container, "env/file", new MemoryStream(replacement), Ct);

        Assert.Equal(replacement, await ReadAllAsync("env/file"));
    }

    [Theory]
    [InlineData(100)]
    [InlineData(2 * BlockSize + 100)]
    public async Task A_write_whose_source_fails_midway_leaves_nothing(int failAfter)
    {
        var source = new FailingStream(RandomNumberGenerator.GetBytes(4 * BlockSize), failAfter);

        var error = await Assert.ThrowsAsync<IOException>(() => _store.WriteAsync(_container, "env/broken", source, Ct));

        Assert.Equal(FailingStream.Message, error.Message);
        Assert.Null(await _store.GetSizeAsync(_container, "env/broken", Ct));
        Assert.Null(await _store.OpenReadAsync(_container, "env/broken", Ct));
        Assert.Empty(await ListAsync());
    }

    [Fact]
    public async Task A_failed_replacement_keeps_the_previous_blob()
    {
        var original = RandomNumberGenerator.GetBytes(2 * BlockSize);
        await _store.WriteAsync(_container, "env/file", new MemoryStream(original), Ct);

        await Assert.ThrowsAsync<IOException>(() =>
            _store.WriteAsync(_container, "env/file", new FailingStream(RandomNumberGenerator.GetBytes(4 * BlockSize), 3 * BlockSize), Ct));

        Assert.Equal(original, await ReadAllAsync("env/file"));
    }

    [Fact]
    public async Task A_cancelled_write_leaves_nothing()
    {
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var source = new FailingStream(RandomNumberGenerator.GetBytes(4 * BlockSize), 2 * BlockSize, onFail: cancellation.Cancel);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _store.WriteAsync(_container, "env/cancelled", source, cancellation.Token));

        Assert.Null(await _store.GetSizeAsync(_container, "env/cancelled", Ct));
    }

    [Fact]
    public async Task A_missing_blob_or_container_reads_as_null_and_deletes_quietly()
    {
        Assert.Null(await _store.OpenReadAsync(_container, "env/none", Ct));
        Assert.Null(await _store.GetSizeAsync(_container, "env/none", Ct));
        await _store.DeleteAsync(_container, "env/none", Ct);
        await _store.DeletePrefixAsync(_container, "env/", Ct);

        await _store.WriteAsync(_container, "env/other", new MemoryStream([1]), Ct);

        Assert.Null(await _store.OpenReadAsync(_container, "env/none", Ct));
        Assert.Null(await _store.GetSizeAsync(_container, "env/none", Ct));
    }

    [Fact]
    public async Task Delete_removes_the_blob_and_may_be_repeated()
    {
        await _store.WriteAsync(_container, "env/file", new MemoryStream([1, 2, 3]), Ct);

        await _store.DeleteAsync(_container, "env/file", Ct);
        await _store.DeleteAsync(_container, "env/file", Ct);

        Assert.Null(await _store.GetSizeAsync(_container, "env/file", Ct));
    }

    [Fact]
    public async Task Prefix_delete_removes_one_environments_blobs_and_leaves_the_others()
    {
        var doomed = Guid.NewGuid();
        var kept = Guid.NewGuid();
        for (var i = 0; i < 12; i++)
        {
            await _store.WriteAsync(_container, $"{doomed:D}/{Guid.NewGuid():D}", new MemoryStream([1]), Ct);
        }

        var keptName = $"{kept:D}/{Guid.NewGuid():D}";
        await _store.WriteAsync(_container, keptName, new MemoryStream([2]), Ct);

        await _store.DeletePrefixAsync(_container, $"{doomed:D}/", Ct);

        Assert.Equal([keptName], await ListAsync());
    }

    [Fact]
    public async Task A_reader_can_seek_and_reads_the_whole_blob()
    {
        var original = RandomNumberGenerator.GetBytes(100);
        await _store.WriteAsync(_container, "env/file", new MemoryStream(original), Ct);
        await using var reader = await _store.OpenReadAsync(_container, "env/file", Ct);

        Assert.True(reader!.CanSeek);
        Assert.Equal(100, reader.Length);
        var copy = new MemoryStream();
        await reader.CopyToAsync(copy, Ct);
        Assert.Equal(original, copy.ToArray());
    }

    private async Task<byte[]> ReadAllAsync(string name)
    {
        await using var stream = await _store.OpenReadAsync(_container, name, Ct);
        Assert.NotNull(stream);
        var copy = new MemoryStream();
        await stream.CopyToAsync(copy, Ct);
        return copy.ToArray();
    }

    private async Task<List<string>> ListAsync()
    {
        var container = new BlobServiceClient(Azurite.ConnectionString).GetBlobContainerClient(_container);
        var names = new List<string>();
        if (!await container.ExistsAsync(Ct))
        {
            return names;
        }

        await foreach (var blob in container.GetBlobsAsync(new GetBlobsOptions(), Ct))
        {
            names.Add(blob.Name);
        }

        return names;
    }

    /// <summary>A source that delivers <c>failAfter</c> bytes and then breaks, like a client dropping an upload.</summary>
    private sealed class FailingStream(byte[] bytes, int failAfter, Action? onFail = null) : MemoryStream(bytes, writable: false)
    {
        public const string Message = "The client went away.";

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var remaining = failAfter - (int)Position;
            if (remaining <= 0)
            {
                onFail?.Invoke();
                cancellationToken.ThrowIfCancellationRequested();
                throw new IOException(Message);
            }

            return await base.ReadAsync(buffer[..Math.Min(buffer.Length, remaining)], cancellationToken);
        }
    }
}
