namespace Memic.Core.Errors;

/// <summary>What went wrong, in terms the HTTP layer maps to a status once, in one place.</summary>
public enum ErrorKind
{
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    Conflict,
    Validation,
    PayloadTooLarge,
    RateLimited,
    Transient,
}

/// <summary>
/// The root of every error Memic raises on purpose. <see cref="Code"/> is the contract's error code
/// (CONTRACT §11); <see cref="Message"/> is safe to show to the caller and never holds a secret.
/// </summary>
public class MemicException : Exception
{
    public MemicException(ErrorKind kind, string code, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
        Code = code;
    }

    public ErrorKind Kind { get; }

    public string Code { get; }
}

public sealed class NotFoundException(string code, string message) : MemicException(ErrorKind.NotFound, code, message)
{
    public static NotFoundException Resource(string what, Guid id) =>
        new(ErrorCodes.NotFound, $"{what} '{id}' was not found.");
}

public sealed class ConflictException(string code, string message) : MemicException(ErrorKind.Conflict, code, message);

public sealed class ForbiddenException(string message) : MemicException(ErrorKind.Forbidden, ErrorCodes.Forbidden, message);

public sealed class UnauthorizedException(string message) : MemicException(ErrorKind.Unauthorized, ErrorCodes.InvalidApiKey, message);

public sealed class BadRequestException(string code, string message) : MemicException(ErrorKind.BadRequest, code, message);

public sealed class TransientException(string message, Exception? innerException = null)
    : MemicException(ErrorKind.Transient, ErrorCodes.ServiceUnavailable, message, innerException);

/// <summary>The admin API is off because the admin key is an unresolved Key Vault reference (503 <c>admin_unavailable</c>).</summary>
public sealed class AdminApiUnavailableException()
    : MemicException(ErrorKind.Transient, ErrorCodes.AdminUnavailable,
        "The admin API is unavailable: this deployment's admin key (MEMIC_ADMIN_KEY) is a Key Vault reference that has not been resolved yet. See docs/deploy.md, Troubleshooting.");

/// <summary>A search could not embed its query within its budget (503 <c>embedding_unavailable</c> with Retry-After).</summary>
public sealed class EmbeddingUnavailableException(string message, TimeSpan retryAfter, Exception? innerException = null)
    : MemicException(ErrorKind.Transient, ErrorCodes.EmbeddingUnavailable, message, innerException)
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}

public sealed class RateLimitedException(TimeSpan retryAfter)
    : MemicException(ErrorKind.RateLimited, ErrorCodes.RateLimitExceeded, "Rate limit exceeded; retry later.")
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}

/// <summary>
/// An API key this instance has not verified before could not be checked now, because unknown keys are arriving faster
/// than the key store may be asked (503 <c>service_unavailable</c> with Retry-After; not 401, since the key may be good).
/// </summary>
public sealed class KeyVerificationBusyException(TimeSpan retryAfter)
    : MemicException(ErrorKind.Transient, ErrorCodes.ServiceUnavailable, "Too many unknown API keys are being presented right now; retry shortly.")
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}

/// <summary>A request that would take its environment over a quota (CONTRACT §17: 429 <c>quota_exceeded</c>).</summary>
public sealed class QuotaExceededException(string message, TimeSpan? retryAfter)
    : MemicException(ErrorKind.RateLimited, ErrorCodes.QuotaExceeded, message)
{
    /// <summary>Until the quota resets; null when only deleting files frees it.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
}

/// <summary>One invalid input value, shaped like the contract's 422 detail items.</summary>
public sealed record FieldError(IReadOnlyList<string> Location, string Message, string Type);

public sealed class ValidationException : MemicException
{
    public ValidationException(IReadOnlyList<FieldError> errors)
        : base(ErrorKind.Validation, ErrorCodes.ValidationError, Describe(errors))
    {
        Errors = errors;
    }

    public ValidationException(string field, string message, string type = "value_error")
        : this([new FieldError(["body", field], message, type)])
    {
    }

    public IReadOnlyList<FieldError> Errors { get; }

    private static string Describe(IReadOnlyList<FieldError> errors) =>
        string.Join("; ", errors.Select(e => $"{string.Join('.', e.Location)}: {e.Message}"));
}
