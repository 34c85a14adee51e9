using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Memic.Client.Internals;

/// <summary>Sends one request to one API surface with its key header, and turns error envelopes into exceptions.</summary>
internal sealed class MemicHttp
{
    private static readonly ProductInfoHeaderValue UserAgent = new(
        "memic-dotnet", typeof(MemicHttp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0");

    private readonly HttpClient _http;
    private readonly string _keyHeader;
    private readonly string _key;
    private readonly TimeSpan _timeout;

    public MemicHttp(HttpClient http, Uri root, string keyHeader, string key, TimeSpan timeout)
    {
        _http = http;
        Root = root;
        _keyHeader = keyHeader;
        _key = key;
        _timeout = timeout;
    }

    public Uri Root { get; }

    public static StringContent Json<T>(T body, JsonTypeInfo<T> type) =>
        new(JsonSerializer.Serialize(body, type), Encoding.UTF8, "application/json");

    public async Task<T> SendAsync<T>(HttpMethod method, string path, HttpContent? content, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        var body = await SendForBodyAsync(method, path, content, cancellationToken).ConfigureAwait(false);
        return JsonSerializer.Deserialize(body, type)
               ?? throw new JsonException($"The API answered {method} {path} with an empty body.");
    }

    public async Task SendAsync(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken) =>
        await SendForBodyAsync(method, path, content, cancellationToken).ConfigureAwait(false);

    /// <summary>PUTs bytes to a signed upload URL: only a Content-Type header, never the key (CONTRACT §3).</summary>
    public async Task PutUploadAsync(Uri uploadUrl, HttpContent content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, uploadUrl) { Content = content };
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        await ReadOrThrowAsync(response, cancellationToken).ConfigureAwait(false);
    }

    private async Task<string> SendForBodyAsync(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        using var request = new HttpRequestMessage(method, new Uri(Root, path)) { Content = content };
        request.Headers.Add(_keyHeader, _key);
        request.Headers.UserAgent.Add(UserAgent);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
            return await ReadOrThrowAsync(response, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{method} {path} did not complete within {_timeout}.");
        }
    }

    private static async Task<string> ReadOrThrowAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            MemicResponseCapture.Record(body);
            return body;
        }

        MemicResponseCapture.Record(body);
        throw ErrorFrom(response, body);
    }

    /// <summary>Maps the contract's envelope <c>{detail, code, request_id}</c> to the exception of its code.</summary>
    internal static MemicApiException ErrorFrom(HttpResponseMessage response, string body)
    {
        var status = response.StatusCode;
        var requestId = response.Headers.TryGetValues("X-Request-Id", out var ids) ? ids.FirstOrDefault() : null;
        string? code = null;
        var message = $"HTTP {(int)status} {response.ReasonPhrase}";
        List<MemicFieldError> fieldErrors = [];
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                code = root.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
                requestId = root.TryGetProperty("request_id", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : requestId;
                if (root.TryGetProperty("detail", out var detail))
                {
                    if (detail.ValueKind == JsonValueKind.Array)
                    {
                        fieldErrors = [.. detail.EnumerateArray().Select(FieldError)];
                        message = string.Join("; ", fieldErrors.Select(e => $"{e.Path}: {e.Msg}"));
                    }
                    else if (detail.ValueKind == JsonValueKind.String)
                    {
                        message = detail.GetString()!;
                    }
                }
            }
        }
        catch (JsonException)
        {
            // Not an envelope (a proxy's page, say): the status line is all there is to say.
        }

        var retryAfter = RetryAfter(response);
        code ??= DefaultCode(status);
        return code switch
        {
            MemicErrorCodes.BadRequest => new BadRequestException(status, message, requestId),
            MemicErrorCodes.InvalidFileType => new InvalidFileTypeException(status, message, requestId),
            MemicErrorCodes.InvalidApiKey => new InvalidApiKeyException(status, message, requestId),
            MemicErrorCodes.Forbidden => new ForbiddenException(status, message, requestId),
            MemicErrorCodes.NotFound => new NotFoundException(status, message, requestId),
            MemicErrorCodes.FileNotFound => new MemicFileNotFoundException(status, message, requestId),
            MemicErrorCodes.PromptNotFound => new PromptNotFoundException(status, message, requestId),
            MemicErrorCodes.FolderNotFound => new FolderNotFoundException(status, message, requestId),
            MemicErrorCodes.Conflict => new ConflictException(status, message, requestId),
            MemicErrorCodes.FileStillProcessing => new FileStillProcessingException(status, message, requestId),
            MemicErrorCodes.FileTooLarge => new FileTooLargeException(status, message, requestId),
            MemicErrorCodes.ValidationError => new MemicValidationException(status, message, requestId, fieldErrors),
            MemicErrorCodes.RateLimitExceeded => new RateLimitExceededException(status, message, requestId, retryAfter),
            MemicErrorCodes.InternalError => new InternalErrorException(status, message, requestId),
            MemicErrorCodes.ServiceUnavailable or MemicErrorCodes.EmbeddingUnavailable or MemicErrorCodes.AdminUnavailable =>
                new ServiceUnavailableException(status, code, message, requestId, retryAfter),
            _ => new MemicApiException(status, code, message, requestId, fieldErrors),
        };
    }

    private static MemicFieldError FieldError(JsonElement item)
    {
        IReadOnlyList<string> loc = item.TryGetProperty("loc", out var l) && l.ValueKind == JsonValueKind.Array
            ? [.. l.EnumerateArray().Select(p => p.ValueKind == JsonValueKind.String ? p.GetString()! : p.GetRawText())]
            : [];
        var msg = item.TryGetProperty("msg", out var m) ? m.GetString() ?? string.Empty : string.Empty;
        var type = item.TryGetProperty("type", out var t) ? t.GetString() ?? string.Empty : string.Empty;
        return new MemicFieldError(loc, msg, type);
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - DateTimeOffset.UtcNow,
        _ => null,
    };

    private static string DefaultCode(HttpStatusCode status) => status switch
    {
        HttpStatusCode.BadRequest => MemicErrorCodes.BadRequest,
        HttpStatusCode.Unauthorized => MemicErrorCodes.InvalidApiKey,
        HttpStatusCode.Forbidden => MemicErrorCodes.Forbidden,
        HttpStatusCode.NotFound => MemicErrorCodes.NotFound,
        HttpStatusCode.Conflict => MemicErrorCodes.Conflict,
        HttpStatusCode.RequestEntityTooLarge => MemicErrorCodes.FileTooLarge,
        HttpStatusCode.UnprocessableEntity => MemicErrorCodes.ValidationError,
        HttpStatusCode.TooManyRequests => MemicErrorCodes.RateLimitExceeded,
        HttpStatusCode.ServiceUnavailable => MemicErrorCodes.ServiceUnavailable,
        _ => string.Create(CultureInfo.InvariantCulture, $"http_{(int)status}"),
    };
}
