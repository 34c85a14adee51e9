using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Memic.Client.Internals;

namespace Memic.Client;

/// <summary>
/// The Memic data plane (CONTRACT §2–§9) for one environment's API key: files, folders, search, chat and prompts.
/// Create one and reuse it; it is safe to use from several threads at once.
/// </summary>
/// <example><code>
/// using var memic = new MemicClient();   // MEMIC_API_KEY, MEMIC_BASE_URL
/// var file = await memic.UploadFileAsync("handbook.pdf", new UploadFileOptions { WaitUntilReady = true });
/// var found = await memic.SearchAsync(new SearchRequest("parental leave"));
/// </code></example>
public sealed class MemicClient : IDisposable
{
    /// <summary>The name of the <see cref="HttpClient"/> that <see cref="MemicServiceCollectionExtensions.AddMemicClient"/> registers.</summary>
    public const string HttpClientName = "Memic";

    private readonly MemicHttp _http;
    private readonly HttpClient? _ownedHttpClient;
    private readonly TimeProvider _time;

    /// <summary>A client configured from <c>MEMIC_API_KEY</c> and <c>MEMIC_BASE_URL</c>.</summary>
    public MemicClient()
        : this(MemicClientOptions.FromEnvironment())
    {
    }

    /// <summary>A standalone client with its own <see cref="HttpClient"/> and the retry policy of <see cref="MemicRetry"/>.</summary>
    public MemicClient(MemicClientOptions options)
        : this(OwnedHttpClient(options), options, owned: true)
    {
    }

    /// <summary>
    /// A client on an <see cref="HttpClient"/> you manage, e.g. from <see cref="IHttpClientFactory"/>; give it the
    /// retry policy with <see cref="MemicRetry.CreateHandler"/> or use <see cref="MemicServiceCollectionExtensions.AddMemicClient"/>.
    /// </summary>
    public MemicClient(HttpClient httpClient, MemicClientOptions options)
        : this(httpClient, options, owned: false)
    {
    }

    private MemicClient(HttpClient httpClient, MemicClientOptions options, bool owned)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        var apiKey = options.ApiKey ?? throw new InvalidOperationException(
            "No Memic API key: set MemicClientOptions.ApiKey or the MEMIC_API_KEY environment variable.");
        _http = new MemicHttp(httpClient, options.ResolveDataPlaneRoot(), "X-API-Key", apiKey, options.RequestTimeout);
        _time = options.TimeProvider;
        _ownedHttpClient = owned ? httpClient : null;
    }

    /// <summary>The data plane's root URL, e.g. <c>http://127.0.0.1:8000/api/v1/sdk/</c>.</summary>
    public Uri BaseAddress => _http.Root;

    /// <summary>The organization, project and environment the key belongs to.</summary>
    public Task<MemicIdentity> GetMeAsync(CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Get, "me", null, MemicJsonContext.Default.MemicIdentity, cancellationToken);

    /// <summary>The projects of the key's organization.</summary>
    public Task<IReadOnlyList<MemicProject>> ListProjectsAsync(CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Get, "projects", null, MemicJsonContext.Default.IReadOnlyListMemicProject, cancellationToken);

    /// <summary>Step 1 of an upload: declares the file and gets the signed URL to PUT its bytes to.</summary>
    public Task<FileUploadTicket> InitFileAsync(InitFileRequest request, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Post, "files/init", MemicHttp.Json(request, MemicJsonContext.Default.InitFileRequest),
            MemicJsonContext.Default.FileUploadTicket, cancellationToken);

    /// <summary>Step 2 of an upload: PUTs the bytes to the signed URL, reporting the bytes sent so far to <paramref name="progress"/>.</summary>
    public Task PutFileContentAsync(Uri uploadUrl, Stream content, long size, string mimeType, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(uploadUrl);
        ArgumentNullException.ThrowIfNull(content);
        return _http.PutUploadAsync(uploadUrl, new ProgressStreamContent(content, size, mimeType, progress), cancellationToken);
    }

    /// <summary>Step 3 of an upload: confirms the bytes arrived and starts processing; idempotent.</summary>
    public Task<MemicFile> ConfirmFileAsync(Guid fileId, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Post, $"files/{fileId}/confirm", null, MemicJsonContext.Default.MemicFile, cancellationToken);

    /// <summary>The file with its current processing status.</summary>
    public Task<MemicFile> GetFileStatusAsync(Guid fileId, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Get, $"files/{fileId}/status", null, MemicJsonContext.Default.MemicFile, cancellationToken);

    /// <summary>The file object.</summary>
    public Task<MemicFile> GetFileAsync(Guid fileId, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Get, $"files/{fileId}", null, MemicJsonContext.Default.MemicFile, cancellationToken);

    /// <summary>One page of the environment's files (page ≥ 1, page size 1–100).</summary>
    public Task<FilePage> GetFilesPageAsync(int page = 1, int pageSize = 50, FileListFilter? filter = null, CancellationToken cancellationToken = default)
    {
        var query = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"files?page={page}&page_size={pageSize}"));
        if (filter?.Status is { } status)
        {
            query.Append("&status=").Append(status.ToWireName());
        }

        if (filter?.FolderId is { } folderId)
        {
            query.Append(CultureInfo.InvariantCulture, $"&folder_id={folderId}");
        }

        if (filter?.ReferenceId is { } referenceId)
        {
            query.Append("&reference_id=").Append(Uri.EscapeDataString(referenceId));
        }

        return _http.SendAsync(HttpMethod.Get, query.ToString(), null, MemicJsonContext.Default.FilePage, cancellationToken);
    }

    /// <summary>Every file of the environment, fetched page by page as the enumeration advances.</summary>
    public async IAsyncEnumerable<MemicFile> ListFilesAsync(
        FileListFilter? filter = null, int pageSize = 100, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var page = 1; ; page++)
        {
            var result = await GetFilesPageAsync(page, pageSize, filter, cancellationToken).ConfigureAwait(false);
            foreach (var file in result.Items)
            {
                yield return file;
            }

            if (!result.HasMore)
            {
                yield break;
            }
        }
    }

    /// <summary>Deletes the file, its bytes, chunks and vectors.</summary>
    public Task DeleteFileAsync(Guid fileId, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Delete, $"files/{fileId}", null, cancellationToken);

    /// <summary>
    /// Uploads a file in one multipart request (<c>POST /files</c>), for small files; no progress. <paramref name="content"/>
    /// is read to its end and disposed with the request.
    /// </summary>
    public async Task<MemicFile> UploadFileMultipartAsync(
        Stream content, string fileName, UploadFileOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        options ??= new UploadFileOptions();
        using var form = new MultipartFormDataContent();
        var part = new StreamContent(content);
        part.Headers.ContentType = new(options.MimeType ?? MimeTypes.ForFileName(fileName));
        form.Add(part, "file", fileName);
        if (options.FolderId is { } folderId)
        {
            form.Add(new StringContent(folderId.ToString()), "folder_id");
        }

        if (options.ReferenceId is { } referenceId)
        {
            form.Add(new StringContent(referenceId), "reference_id");
        }

        if (options.Metadata is { } metadata)
        {
            form.Add(new StringContent(metadata.ToJsonString()), "metadata");
        }

        var file = await _http.SendAsync(HttpMethod.Post, "files", form, MemicJsonContext.Default.MemicFile, cancellationToken).ConfigureAwait(false);
        return options.WaitUntilReady ? await WaitUntilProcessedAsync(file.Id, options, cancellationToken).ConfigureAwait(false) : file;
    }

    /// <summary>Uploads a file from disk with the 3-step flow (init → PUT → confirm).</summary>
    public async Task<MemicFile> UploadFileAsync(
        string path, UploadFileOptions? options = null, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        await using var stream = File.OpenRead(path);
        return await UploadAsync(stream, Path.GetFileName(path), options, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Uploads <paramref name="content"/> with the 3-step flow: init → PUT to the signed URL (reporting bytes sent to
    /// <paramref name="progress"/>) → confirm; then, with <see cref="UploadFileOptions.WaitUntilReady"/>, polls until
    /// processing ends. A seekable stream is read from its current position to its end; otherwise it is buffered first.
    /// </summary>
    /// <exception cref="FileProcessingFailedException">Waiting, and processing failed.</exception>
    public async Task<MemicFile> UploadAsync(
        Stream content, string fileName, UploadFileOptions? options = null, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        options ??= new UploadFileOptions();
        Stream source = content;
        if (!content.CanSeek)
        {
            var buffer = new MemoryStream();
            await content.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            buffer.Position = 0;
            source = buffer;
        }

        await using var owned = ReferenceEquals(source, content) ? null : source;
        var size = source.Length - source.Position;
        var mimeType = options.MimeType ?? MimeTypes.ForFileName(fileName);
        var ticket = await InitFileAsync(
            new InitFileRequest(fileName, size, mimeType, options.Metadata, options.ReferenceId, options.FolderId), cancellationToken).ConfigureAwait(false);
        await PutFileContentAsync(ticket.UploadUrl, source, size, mimeType, progress, cancellationToken).ConfigureAwait(false);
        var file = await ConfirmFileAsync(ticket.FileId, cancellationToken).ConfigureAwait(false);
        return options.WaitUntilReady ? await WaitUntilProcessedAsync(file.Id, options, cancellationToken).ConfigureAwait(false) : file;
    }

    /// <summary>Polls the file's status until it is ready; throws if processing fails or takes longer than <see cref="UploadFileOptions.WaitTimeout"/>.</summary>
    /// <exception cref="FileProcessingFailedException">Processing ended in a <c>*_failed</c> status.</exception>
    /// <exception cref="TimeoutException">Still processing after the timeout.</exception>
    public async Task<MemicFile> WaitUntilProcessedAsync(Guid fileId, UploadFileOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new UploadFileOptions();
        var deadline = _time.GetUtcNow() + options.WaitTimeout;
        while (true)
        {
            var file = await GetFileStatusAsync(fileId, cancellationToken).ConfigureAwait(false);
            if (file.Status == FileStatus.Ready)
            {
                return file;
            }

            if (file.Status.IsFailed())
            {
                throw new FileProcessingFailedException(file);
            }

            if (_time.GetUtcNow() >= deadline)
            {
                throw new TimeoutException($"File {fileId} is still {file.Status.ToWireName()} after {options.WaitTimeout}.");
            }

            await Task.Delay(options.PollInterval, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The environment's folders, the default one included.</summary>
    public Task<IReadOnlyList<MemicFolder>> ListFoldersAsync(CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Get, "folders", null, MemicJsonContext.Default.IReadOnlyListMemicFolder, cancellationToken);

    /// <summary>Creates a folder; names are unique per environment.</summary>
    public Task<MemicFolder> CreateFolderAsync(string name, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Post, "folders", MemicHttp.Json(new NameBody(name), MemicJsonContext.Default.NameBody),
            MemicJsonContext.Default.MemicFolder, cancellationToken);

    /// <summary>One folder.</summary>
    public Task<MemicFolder> GetFolderAsync(Guid folderId, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Get, $"folders/{folderId}", null, MemicJsonContext.Default.MemicFolder, cancellationToken);

    /// <summary>Deletes a folder; a non-empty one only with <paramref name="recursive"/> (else 409 <c>conflict</c>).</summary>
    public Task DeleteFolderAsync(Guid folderId, bool recursive = false, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Delete, recursive ? $"folders/{folderId}?recursive=true" : $"folders/{folderId}", null, cancellationToken);

    /// <summary>Ranked passages for a query.</summary>
    public Task<SearchResponse> SearchAsync(SearchRequest request, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Post, "search", MemicHttp.Json(request, MemicJsonContext.Default.SearchRequest),
            MemicJsonContext.Default.SearchResponse, cancellationToken);

    /// <summary>An answer grounded in the environment's documents, with citations.</summary>
    public Task<ChatResponse> ChatAsync(ChatRequest request, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Post, "chat", MemicHttp.Json(request, MemicJsonContext.Default.ChatRequest),
            MemicJsonContext.Default.ChatResponse, cancellationToken);

    /// <summary>The live version of a prompt.</summary>
    public Task<LivePrompt> GetPromptAsync(string name, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Get, $"prompts/{Uri.EscapeDataString(name)}", null, MemicJsonContext.Default.LivePrompt, cancellationToken);

    /// <summary>Whether the server can serve requests (<c>GET /health</c> answers <c>{"status":"ok"}</c>).</summary>
    public async Task<bool> IsHealthyAsync(CancellationToken cancellationToken = default) =>
        (await _http.SendAsync(HttpMethod.Get, "/health", null, MemicJsonContext.Default.HealthBody, cancellationToken).ConfigureAwait(false)).Status == "ok";

    /// <summary>Disposes the <see cref="HttpClient"/> if this client created it.</summary>
    public void Dispose() => _ownedHttpClient?.Dispose();

    internal static HttpClient OwnedHttpClient(MemicClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        // Per-request timeouts come from MemicClientOptions; an upload's PUT may rightly take longer than any of them.
        return new HttpClient(MemicRetry.CreateHandler(options.MaxRetries, new SocketsHttpHandler()), disposeHandler: true)
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }
}
