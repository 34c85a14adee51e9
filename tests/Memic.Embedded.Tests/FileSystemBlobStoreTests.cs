using Memic.Embedded.Blobs;
using Microsoft.Extensions.Options;

namespace Memic.Embedded.Tests;

public sealed class FileSystemBlobStoreTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private FileSystemBlobStore Store() => new(Options.Create(new EmbeddedOptions { DataDirectory = _directory.Path }));

    [Theory]
    [InlineData("uploads\n", "env/file")]
    [InlineData("uploads", "env/file\n")]
    [InlineData("uploads", "env\n/file")]
    public async Task A_container_or_name_with_a_trailing_newline_is_refused(string container, string name)
    {
        using var content = new MemoryStream("x"u8.ToArray());

        await Assert.ThrowsAsync<ArgumentException>(() => Store().WriteAsync(container, name, content, TestContext.Current.CancellationToken));

        Assert.Empty(Directory.GetFiles(_directory.Path, "*", SearchOption.AllDirectories));
    }
}
