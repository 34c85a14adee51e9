using System.Net;

namespace Memic.Client;

/// <summary>
/// The API answered with an error envelope (CONTRACT §11). Each error code has its own subclass, so callers catch what
/// they can handle (<see cref="RateLimitExceededException"/>, <see cref="MemicFileNotFoundException"/>, …) and let the rest rise.
/// </summary>
public class MemicApiException : Exception
{
    /// <summary>Creates the exception for one error response.</summary>
    public MemicApiException(HttpStatusCode statusCode, string code, string message, string? requestId, IReadOnlyList<MemicFieldError>? fieldErrors = null)
        : base(message)
    {
        StatusCode = statusCode;
        Code = code;
        RequestId = requestId;
        FieldErrors = fieldErrors ?? [];
    }

    /// <summary>The HTTP status.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The contract's error code, e.g. <c>file_not_found</c>.</summary>
    public string Code { get; }

    /// <summary>The request id to quote when reporting the error (<c>X-Request-Id</c>).</summary>
    public string? RequestId { get; }

    /// <summary>Every field error of a 422 validation error; empty for other errors.</summary>
    public IReadOnlyList<MemicFieldError> FieldErrors { get; }
}

/// <summary>400 <c>bad_request</c>: the request could not be read (e.g. malformed JSON).</summary>
public sealed class BadRequestException(HttpStatusCode status, string message, string? requestId)
    : MemicApiException(status, MemicErrorCodes.BadRequest, message, requestId);

/// <summary>400 <c>invalid_file_type</c>: the file type is not supported (or OCR is not configured for images).</summary>
public sealed class InvalidFileTypeException(HttpStatusCode status, string message, string? requestId)
    : MemicApiException(status, MemicErrorCodes.InvalidFileType, message, requestId);

/// <summary>401 <c>invalid_api_key</c>: the key is missing, malformed, unknown or revoked.</summary>
public sealed class InvalidApiKeyException(HttpStatusCode status, string message, string? requestId)
    : MemicApiException(status, MemicErrorCodes.InvalidApiKey, message, requestId);

/// <summary>403 <c>forbidden</c>: a valid key used for another environment, or a bad upload signature.</summary>
public sealed class ForbiddenException(HttpStatusCode status, string message, string? requestId)
    : MemicApiException(status, MemicErrorCodes.Forbidden, message, requestId);

/// <summary>404 <c>not_found</c>: no such resource (or it belongs to another environment).</summary>
public sealed class NotFoundException(HttpStatusCode status, string message, string? requestId)
    : MemicApiException(status, MemicErrorCodes.NotFound, message, requestId);

/// <summary>
/// 404 <c>file_not_found</c>. Named with a prefix because <see cref="System.IO.FileNotFoundException"/> is in scope
/// wherever implicit usings are on.
/// </summary>
public sealed class MemicFileNotFoundException(HttpStatusCode status, string message, string? requestId)
    : MemicApiException(status, MemicErrorCodes.FileNotFound, message, requestId);

/// <summary>404 <c>prompt_not_found</c>: no prompt of that name, or it has no live version.</summary>
public sealed class PromptNotFoundException(HttpStatusCode status, string message, string? requestId)
    : MemicApiException(status, MemicErrorCodes.PromptNotFound, message, requestId);

/// <summary>404 <c>folder_not_found</c>.</summary>
public sealed class FolderNotFoundException(HttpStatusCode status, string message, string? requestId)
    : MemicApiException(status, MemicErrorCodes.FolderNotFound, message, requestId);

/// <summary>409 <c>conflict</c>: e.g. deleting a non-empty folder without <c>recursive</c>.</summary>
public sealed class ConflictException(HttpStatusCode status, string message, string? requestId)
    : MemicApiException(status, MemicErrorCodes.Conflict, message, requestId);

/// <summary>409 <c>file_still_processing</c>: the operation needs a file that finished processing.</summary>
public sealed class FileStillProcessingException(HttpStatusCode status, string message, string? requestId)
    : MemicApiException(status, MemicErrorCodes.FileStillProcessing, message, requestId);

/// <summary>413 <c>file_too_large</c>: over the server's size limit.</summary>
public sealed class FileTooLargeException(HttpStatusCode status, string message, string? requestId)
    : MemicApiException(status, MemicErrorCodes.FileTooLarge, message, requestId);

/// <summary>422 <c>validation_error</c>: values out of range; <see cref="MemicApiException.FieldErrors"/> lists every one.</summary>
public sealed class MemicValidationException(HttpStatusCode status, string message, string? requestId, IReadOnlyList<MemicFieldError> fieldErrors)
    : MemicApiException(status, MemicErrorCodes.ValidationError, message, requestId, fieldErrors);

/// <summary>429 <c>rate_limit_exceeded</c>, after the client's own retries ran out.</summary>
public sealed class RateLimitExceededException(HttpStatusCode status, string message, string? requestId, TimeSpan? retryAfter)
    : MemicApiException(status, MemicErrorCodes.RateLimitExceeded, message, requestId)
{
    /// <summary>How long the server asked to wait (<c>Retry-After</c>).</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
}

/// <summary>500 <c>internal_error</c>: quote <see cref="MemicApiException.RequestId"/> when reporting it.</summary>
public sealed class InternalErrorException(HttpStatusCode status, string message, string? requestId)
    : MemicApiException(status, MemicErrorCodes.InternalError, message, requestId);

/// <summary>503 <c>service_unavailable</c>, <c>embedding_unavailable</c> or <c>admin_unavailable</c>, after the client's retries ran out.</summary>
public sealed class ServiceUnavailableException(HttpStatusCode status, string code, string message, string? requestId, TimeSpan? retryAfter)
    : MemicApiException(status, code, message, requestId)
{
    /// <summary>How long the server asked to wait (<c>Retry-After</c>), if it said.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
}

/// <summary>A file's processing ended in a <c>*_failed</c> status while waiting for it to be ready.</summary>
public sealed class FileProcessingFailedException(MemicFile file)
    : Exception($"Processing of '{file.Name}' ({file.Id}) failed with status {file.Status.ToWireName()}: {file.ErrorMessage ?? "no reason given"}")
{
    /// <summary>The file in its failed status, with its <see cref="MemicFile.ErrorMessage"/>.</summary>
    public MemicFile File { get; } = file;
}
