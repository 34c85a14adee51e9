using System.Security.Cryptography;
using System.Text.Json;
using Memic.Core.Errors;
using Memic.Core.Ports;
using Memic.Core.Quotas;
using Memic.Core.Search;
using Memic.Core.Tenancy;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Memic.Core.Files;

/// <summary>What a client declares before uploading (CONTRACT §3).</summary>
public sealed record FileDeclaration(string Filename, long Size, string? MimeType, JsonElement? Metadata, string? ReferenceId, Guid? FolderId);

/// <summary>The answer to <c>POST /files/init</c>.</summary>
public sealed record UploadTicket(StoredFile File, string UploadUrl, int ExpiresIn);

/// <summary>The upload flow and file lifecycle of one environment's files: init, receive, confirm, one-call upload, list, delete.</summary>
public sealed class FileService(
    IFileCatalog files,
    ITenancyCatalog environments,
    FolderService folders,
    IBlobStore blobs,
    IIngestionQueue queue,
    IDocumentReader reader,
    ISearchIndex index,
    UploadUrlSigner signer,
    QuotaService quotas,
    IOptions<UploadOptions> options,
    TimeProvider time,
    ILogger<FileService> logger)
{
    public const string UploadsContainer = "uploads";

    public static string BlobName(Guid environmentId, Guid fileId) => $"{environmentId:D}/{fileId:D}";

    /// <summary>Registers a file and returns a signed URL to PUT its bytes to. Type and size are refused here, before any bytes move.</summary>
    public async Task<UploadTicket> InitAsync(Guid environmentId, FileDeclaration declaration, string requestBaseUrl, CancellationToken cancellationToken)
    {
        var file = await NewFileAsync(environmentId, declaration, cancellationToken);
        await quotas.CheckUploadAsync(environmentId, file.Size, cancellationToken);
        await files.AddFileAsync(file, cancellationToken);
        var (url, expiresIn) = await signer.CreateUrlAsync(requestBaseUrl, file.Id, environmentId, cancellationToken);
        logger.LogInformation("File {FileId} of environment {EnvironmentId} awaits upload ({Size} bytes)", file.Id, environmentId, file.Size);
        return new UploadTicket(file, url, expiresIn);
    }

    /// <summary>Stores the bytes PUT to a signed upload URL. Exactly the declared number of bytes is accepted.</summary>
    public async Task<StoredFile> ReceiveAsync(UploadGrant grant, Stream body, long? contentLength, CancellationToken cancellationToken)
    {
        await signer.VerifyAsync(grant, cancellationToken);
        var file = await GetAsync(grant.EnvironmentId, grant.FileId, cancellationToken);
        if (file.Status != FileStatus.Uploading)
        {
            throw new ConflictException(ErrorCodes.Conflict, "This file's upload was already confirmed; its bytes cannot be replaced.");
        }

        return await StoreBytesAsync(file, body, contentLength, cancellationToken);
    }

    /// <summary>Confirms an upload and makes sure processing runs. Idempotent: it never restarts or duplicates work.</summary>
    public async Task<StoredFile> ConfirmAsync(Guid environmentId, Guid fileId, CancellationToken cancellationToken)
    {
        var file = await GetAsync(environmentId, fileId, cancellationToken);
        if (file.Status == FileStatus.Uploading)
        {
            // Confirming starts ingestion, which spends embedding tokens; a repeated confirm of a running file is not refused.
            await quotas.CheckIngestionAsync(environmentId, cancellationToken);
            if (!await MarkUploadedAsync(file, cancellationToken))
            {
                throw new ConflictException(ErrorCodes.Conflict, "No bytes were received for this file yet; PUT them to its upload_url first.");
            }

            file = await GetAsync(environmentId, fileId, cancellationToken);
        }

        // Whoever drains the queue decides whether the file still needs a run; enqueuing never starts a second one.
        if (file.Status.IsInPipeline())
        {
            await queue.EnqueueAsync(environmentId, fileId, cancellationToken);
        }

        return file;
    }

    /// <summary>
    /// Treats a complete blob as the upload's confirmation, for the storage event that reports it. The signed PUT writes
    /// the blob atomically with exactly the declared size and then records the content hash, so a blob of that size with
    /// the hash recorded can only be a finished upload. Returns whether the file is now past <c>uploading</c> (confirmed
    /// here or before) and still to be processed; false for a file that is gone, finished, or whose PUT has not finished.
    /// </summary>
    public async Task<bool> ConfirmUploadedBlobAsync(Guid environmentId, Guid fileId, CancellationToken cancellationToken)
    {
        var file = await files.GetFileAsync(environmentId, fileId, cancellationToken);
        if (file is null)
        {
            return false;
        }

        if (file.Status == FileStatus.Uploading)
        {
            // Without the hash the PUT is still recording (or the blob was not written by it): a later write of the row
            // would put the status back, so confirm stays the way in.
            if (file.ContentHash is null || !await MarkUploadedAsync(file, cancellationToken))
            {
                logger.LogInformation("Blob of file {FileId} of environment {EnvironmentId} is not a finished upload yet; left to confirm", fileId, environmentId);
                return false;
            }

            logger.LogInformation("File {FileId} of environment {EnvironmentId} confirmed by its blob event", fileId, environmentId);
            return true;
        }

        return file.Status.IsInPipeline();
    }
    /// <summary>The one-call upload: declare, store and confirm in one request.</summary>
    public async Task<StoredFile> UploadAsync(Guid environmentId, FileDeclaration declaration, Stream content, CancellationToken cancellationToken)
    {
        var file = await NewFileAsync(environmentId, declaration, cancellationToken);
        await quotas.CheckUploadAsync(environmentId, file.Size, cancellationToken);
        await quotas.CheckIngestionAsync(environmentId, cancellationToken);
        await files.AddFileAsync(file, cancellationToken);
        try
        {
            await StoreBytesAsync(file, content, declaration.Size, cancellationToken);
        }
        catch
        {
            await files.RemoveFileAsync(environmentId, file.Id, CancellationToken.None);
            throw;
        }

        return await ConfirmAsync(environmentId, file.Id, cancellationToken);
    }

    public async Task<StoredFile> GetAsync(Guid environmentId, Guid fileId, CancellationToken cancellationToken) =>
        await files.GetFileAsync(environmentId, fileId, cancellationToken)
        ?? throw new NotFoundException(ErrorCodes.FileNotFound, $"File '{fileId}' was not found.");

    public async Task<FilePage> ListAsync(Guid environmentId, FileQuery query, CancellationToken cancellationToken)
    {
        if (query.FolderId is { } folderId)
        {
            await folders.GetAsync(environmentId, folderId, cancellationToken);
        }

        return await files.ListFilesAsync(environmentId, query, cancellationToken);
    }

    /// <summary>Removes the file, its blob, and every chunk and vector, also while it is still being processed.</summary>
    public async Task DeleteAsync(Guid environmentId, Guid fileId, CancellationToken cancellationToken)
    {
        _ = await GetAsync(environmentId, fileId, cancellationToken);

        // The row goes first: a pipeline still running sees the file gone at its next step and after indexing,
        // and removes what it wrote itself.
        await files.RemoveFileAsync(environmentId, fileId, cancellationToken);
        queue.Cancel(fileId);
        await blobs.DeleteAsync(UploadsContainer, BlobName(environmentId, fileId), cancellationToken);
        await index.DeleteFileChunksAsync(environmentId, fileId, cancellationToken);
        logger.LogInformation("Deleted file {FileId} of environment {EnvironmentId}", fileId, environmentId);
    }

    /// <summary>Deletes a folder (CONTRACT §9); with <paramref name="recursive"/> its files go first, each as <see cref="DeleteAsync"/>.</summary>
    public async Task DeleteFolderAsync(Guid environmentId, Guid folderId, bool recursive, CancellationToken cancellationToken)
    {
        await folders.CheckDeletableAsync(environmentId, folderId, recursive, cancellationToken);
        foreach (var fileId in await files.ListFileIdsInFolderAsync(environmentId, folderId, cancellationToken))
        {
            await DeleteAsync(environmentId, fileId, cancellationToken);
        }

        await folders.RemoveAsync(environmentId, folderId, cancellationToken);
    }

    /// <summary>
    /// The one move from <c>uploading</c> to <c>uploaded</c>, for confirm and the blob event alike: the bytes are there
    /// with the declared size. Returns false when they are not; true also when a concurrent confirmation moved it first.
    /// </summary>
    private async Task<bool> MarkUploadedAsync(StoredFile file, CancellationToken cancellationToken)
    {
        var size = await blobs.GetSizeAsync(UploadsContainer, BlobName(file.EnvironmentId, file.Id), cancellationToken);
        if (size != file.Size)
        {
            return false;
        }

        await files.TransitionAsync(file.EnvironmentId, file.Id, [FileStatus.Uploading], FileStatus.Uploaded, time.GetUtcNow(), cancellationToken);
        return true;
    }

    private async Task<StoredFile> NewFileAsync(Guid environmentId, FileDeclaration declaration, CancellationToken cancellationToken)
    {
        var name = Path.GetFileName(declaration.Filename.Replace('\\', '/'));
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ValidationException("filename", "filename must name a file.", "value_error");
        }

        var type = reader.CheckType(declaration.MimeType, name);
        if (!type.IsSupported)
        {
            throw new BadRequestException(ErrorCodes.InvalidFileType, type.Reason ?? "This file type is not supported.");
        }

        if (MetadataTerms.CheckLengths(declaration.Metadata) is { Count: > 0 } metadataErrors)
        {
            throw new ValidationException(metadataErrors);
        }

        var maxBytes = options.Value.MaxFileBytes;
        if (declaration.Size > maxBytes)
        {
            throw new MemicException(ErrorKind.PayloadTooLarge, ErrorCodes.FileTooLarge, $"Files may be at most {maxBytes} bytes; this one is {declaration.Size}.");
        }

        var folder = await folders.ResolveAsync(environmentId, declaration.FolderId, cancellationToken);
        var now = time.GetUtcNow();
        return new StoredFile
        {
            Id = Guid.NewGuid(),
            EnvironmentId = environmentId,
            FolderId = folder.Id,
            Name = name,
            OriginalFilename = declaration.Filename,
            Size = declaration.Size,
            MimeType = type.MimeType ?? (string.IsNullOrWhiteSpace(declaration.MimeType) ? "application/octet-stream" : declaration.MimeType.Trim()),
            Status = FileStatus.Uploading,
            ReferenceId = declaration.ReferenceId,
            Metadata = declaration.Metadata,
            CreatedAt = now,
            UpdatedAt = now,
        };
    }

    private async Task<StoredFile> StoreBytesAsync(StoredFile file, Stream body, long? contentLength, CancellationToken cancellationToken)
    {
        if (contentLength > file.Size)
        {
            throw TooLarge(file);
        }

        var blobName = BlobName(file.EnvironmentId, file.Id);
        using var counted = new ExactLengthStream(body, file.Size);
        try
        {
            await blobs.WriteAsync(UploadsContainer, blobName, counted, cancellationToken);
        }
        catch (InvalidDataException) when (counted.Overflowed)
        {
            throw TooLarge(file);
        }

        if (counted.BytesRead != file.Size)
        {
            await blobs.DeleteAsync(UploadsContainer, blobName, CancellationToken.None);
            throw new BadRequestException(ErrorCodes.BadRequest, $"Received {counted.BytesRead} bytes but {file.Size} were declared.");
        }

        // The signed URL outlives the environment's keys: an upload that raced its deletion takes its blob back, since the
        // delete may already have erased the environment's blobs (it marks the environment deleting before it does).
        if (await environments.GetEnvironmentAsync(file.EnvironmentId, CancellationToken.None) is not { Status: not EnvironmentStatus.Deleting })
        {
            await blobs.DeleteAsync(UploadsContainer, blobName, CancellationToken.None);
            throw new NotFoundException(ErrorCodes.FileNotFound, $"File '{file.Id}' was not found.");
        }

        var stored = file with { ContentHash = counted.HashHex(), UpdatedAt = time.GetUtcNow() };
        await files.UpdateFileAsync(stored, cancellationToken);
        return stored;
    }

    private static MemicException TooLarge(StoredFile file) =>
        new(ErrorKind.PayloadTooLarge, ErrorCodes.FileTooLarge, $"The upload is larger than the declared size of {file.Size} bytes.");

    /// <summary>Reads a body while counting and hashing it, failing as soon as it exceeds the declared length.</summary>
    private sealed class ExactLengthStream(Stream inner, long limit) : Stream
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public long BytesRead { get; private set; }

        public bool Overflowed { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

        public string HashHex() => Convert.ToHexStringLower(_hash.GetHashAndReset());

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var read = inner.Read(buffer);
            return Count(buffer[..read]);
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            return Count(buffer.Span[..read]);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _hash.Dispose();
            }

            base.Dispose(disposing);
        }

        private int Count(ReadOnlySpan<byte> read)
        {
            BytesRead += read.Length;
            if (BytesRead > limit)
            {
                Overflowed = true;
                throw new InvalidDataException("The body is longer than declared.");
            }

            _hash.AppendData(read);
            return read.Length;
        }
    }
}
