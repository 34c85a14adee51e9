using System.Collections.Concurrent;
using System.Net;
using Memic.Core.Files;
using Memic.Core.Ports;
using Memic.Embedded.Catalog;
using Microsoft.Extensions.DependencyInjection;
using static Memic.Server.Tests.Wire;

namespace Memic.Server.Tests;

/// <summary>Every status a file passes through, recorded at the catalog rather than sampled by polling.</summary>
public sealed class PipelineStatusTests : IDisposable
{
    private readonly RecordingFileCatalog _recorder = new();
    private readonly MemicServerFactory _server;

    public PipelineStatusTests()
    {
        _server = new MemicServerFactory
        {
            TestServices = services => services.AddSingleton<IFileCatalog>(sp => _recorder.Wrap(sp.GetRequiredService<SqliteCatalog>())),
        };
    }

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task Successful_file_passes_through_every_status_in_order()
    {
        using var admin = _server.AdminClient();
        var (_, key) = await admin.CreateEnvironmentAsync("sequence");
        using var client = _server.DataClient(key);

        var init = await Uploads.InitAsync(client, "s.txt", 11, "text/plain");
        var fileId = init.GetProperty("file_id").GetGuid();
        using var anonymous = _server.CreateClient();
        using var body = new ByteArrayContent("hello world"u8.ToArray());
        await (await anonymous.PutAsync(new Uri(init.GetProperty("upload_url").GetString()!).PathAndQuery, body, Ct)).ExpectAsync(HttpStatusCode.OK);
        await (await client.PostAsync($"/api/v1/files/{fileId}/confirm", null, Ct)).ExpectAsync(HttpStatusCode.OK);
        await Uploads.WaitForTerminalAsync(client, fileId, ["uploaded"]);

        Assert.Equal(
        [
            FileStatus.Uploading, FileStatus.Uploaded,
            FileStatus.ConversionStarted, FileStatus.ConversionComplete,
            FileStatus.ParsingStarted, FileStatus.ParsingComplete,
            FileStatus.ChunkingStarted, FileStatus.ChunkingComplete,
            FileStatus.EmbeddingStarted, FileStatus.EmbeddingComplete,
            FileStatus.Ready,
        ], _recorder.History(fileId));
    }

    /// <summary>Records every status written for each file, dropping repeats.</summary>
    private sealed class RecordingFileCatalog
    {
        private readonly ConcurrentDictionary<Guid, ConcurrentQueue<FileStatus>> _history = new();

        public IFileCatalog Wrap(SqliteCatalog inner) => new Recorder(inner, this);

        public IReadOnlyList<FileStatus> History(Guid fileId)
        {
            var all = _history.GetValueOrDefault(fileId)?.ToList() ?? [];
            return [.. all.Where((status, i) => i == 0 || all[i - 1] != status)];
        }

        private void Add(Guid fileId, FileStatus status) => _history.GetOrAdd(fileId, _ => new()).Enqueue(status);

        private sealed class Recorder(SqliteCatalog inner, RecordingFileCatalog log) : IFileCatalog
        {
            public async Task AddFileAsync(StoredFile file, CancellationToken cancellationToken)
            {
                await inner.AddFileAsync(file, cancellationToken);
                log.Add(file.Id, file.Status);
            }

            public async Task<bool> UpdateFileAsync(StoredFile file, CancellationToken cancellationToken)
            {
                var updated = await inner.UpdateFileAsync(file, cancellationToken);
                if (updated)
                {
                    log.Add(file.Id, file.Status);
                }

                return updated;
            }

            public async Task<bool> TransitionAsync(Guid environmentId, Guid fileId, IReadOnlyCollection<FileStatus> from, FileStatus to, DateTimeOffset at, CancellationToken cancellationToken)
            {
                var moved = await inner.TransitionAsync(environmentId, fileId, from, to, at, cancellationToken);
                if (moved)
                {
                    log.Add(fileId, to);
                }

                return moved;
            }

            public async Task<bool> TransitionIfUnchangedAsync(
                Guid environmentId, Guid fileId, FileStatus from, DateTimeOffset lastUpdatedAt, FileStatus to, DateTimeOffset at, CancellationToken cancellationToken)
            {
                var moved = await inner.TransitionIfUnchangedAsync(environmentId, fileId, from, lastUpdatedAt, to, at, cancellationToken);
                if (moved)
                {
                    log.Add(fileId, to);
                }

                return moved;
            }

            public Task<StoredFile?> GetFileAsync(Guid environmentId, Guid fileId, CancellationToken cancellationToken) => inner.GetFileAsync(environmentId, fileId, cancellationToken);

            public Task<FilePage> ListFilesAsync(Guid environmentId, FileQuery query, CancellationToken cancellationToken) => inner.ListFilesAsync(environmentId, query, cancellationToken);

            public Task RemoveFileAsync(Guid environmentId, Guid fileId, CancellationToken cancellationToken) => inner.RemoveFileAsync(environmentId, fileId, cancellationToken);

            public Task<int?> RecordAttemptAsync(Guid environmentId, Guid fileId, CancellationToken cancellationToken) => inner.RecordAttemptAsync(environmentId, fileId, cancellationToken);

            public Task<IReadOnlyList<(Guid EnvironmentId, Guid FileId)>> ListUnfinishedFilesAsync(CancellationToken cancellationToken) => inner.ListUnfinishedFilesAsync(cancellationToken);

            public Task<int> CountFilesInFolderAsync(Guid environmentId, Guid folderId, CancellationToken cancellationToken) => inner.CountFilesInFolderAsync(environmentId, folderId, cancellationToken);

            public Task<IReadOnlyList<Guid>> ListFileIdsInFolderAsync(Guid environmentId, Guid folderId, CancellationToken cancellationToken) => inner.ListFileIdsInFolderAsync(environmentId, folderId, cancellationToken);
        }
    }
}
