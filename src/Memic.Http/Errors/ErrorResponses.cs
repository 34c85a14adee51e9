using System.Globalization;
using Memic.Core.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Memic.Http.Errors;

/// <summary>The one place errors become the contract's envelope <c>{detail, code, request_id}</c> (CONTRACT §11).</summary>
public static class ErrorResponses
{
    public static IResult From(Exception exception, HttpContext context, ILogger logger)
    {
        var requestId = RequestIds.Ensure(context);
        switch (exception)
        {
            case ValidationException validation:
                return Results.Json(
                    new ValidationErrorEnvelope([.. validation.Errors.Select(e => new ValidationErrorItem(e.Location, e.Message, e.Type))], validation.Code, requestId),
                    MemicJson.Options, statusCode: StatusCodes.Status422UnprocessableEntity);
            case RateLimitedException limited:
                context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(limited.RetryAfter.TotalSeconds)).ToString();
                return Envelope(StatusCodes.Status429TooManyRequests, limited.Message, limited.Code, requestId);
            case KeyVerificationBusyException busy:
                // Expected under a flood of random keys: not worth a warning per request.
                context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(busy.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                return Envelope(StatusCodes.Status503ServiceUnavailable, busy.Message, busy.Code, requestId);
            case QuotaExceededException quota:
                if (quota.RetryAfter is { } untilReset)
                {
                    context.Response.Headers.RetryAfter = Math.Max(1, (long)Math.Ceiling(untilReset.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                }

                return Envelope(StatusCodes.Status429TooManyRequests, quota.Message, quota.Code, requestId);
            case EmbeddingUnavailableException unavailable:
                logger.LogWarning(unavailable, "Query embedding unavailable serving request {RequestId}", requestId);
                context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(unavailable.RetryAfter.TotalSeconds)).ToString();
                return Envelope(StatusCodes.Status503ServiceUnavailable, unavailable.Message, unavailable.Code, requestId);
            case MemicException memic:
                if (memic.Kind == ErrorKind.Transient)
                {
                    logger.LogWarning(memic, "Transient failure serving request {RequestId}", requestId);
                }

                return Envelope(StatusFor(memic.Kind), memic.Message, memic.Code, requestId);
            case BadHttpRequestException badRequest:
                return badRequest.StatusCode == StatusCodes.Status413PayloadTooLarge
                    ? Envelope(StatusCodes.Status413PayloadTooLarge, "The request body is too large.", ErrorCodes.FileTooLarge, requestId)
                    : Envelope(StatusCodes.Status400BadRequest, "The request could not be read.", ErrorCodes.BadRequest, requestId);
            default:
                logger.LogError(exception, "Unhandled error serving request {RequestId}", requestId);
                return Envelope(StatusCodes.Status500InternalServerError,
                    $"An internal error occurred. Quote request id {requestId} when reporting it.", ErrorCodes.InternalError, requestId);
        }
    }

    public static IResult Envelope(int status, string detail, string code, string requestId) =>
        Results.Json(new ErrorEnvelope(detail, code, requestId), MemicJson.Options, statusCode: status);

    /// <summary>The envelope for a bare status produced outside Memic's handlers (no route, wrong method).</summary>
    public static IResult ForStatus(int status, HttpContext context)
    {
        var requestId = RequestIds.Ensure(context);
        return status switch
        {
            StatusCodes.Status404NotFound => Envelope(status, "No such route.", ErrorCodes.NotFound, requestId),
            StatusCodes.Status405MethodNotAllowed => Envelope(status, "Method not allowed on this route.", ErrorCodes.BadRequest, requestId),
            StatusCodes.Status413PayloadTooLarge => Envelope(status, "The request body is too large.", ErrorCodes.FileTooLarge, requestId),
            >= 500 => Envelope(status, "An internal error occurred.", ErrorCodes.InternalError, requestId),
            _ => Envelope(status, "The request could not be served.", ErrorCodes.BadRequest, requestId),
        };
    }

    private static int StatusFor(ErrorKind kind) => kind switch
    {
        ErrorKind.BadRequest => StatusCodes.Status400BadRequest,
        ErrorKind.Unauthorized => StatusCodes.Status401Unauthorized,
        ErrorKind.Forbidden => StatusCodes.Status403Forbidden,
        ErrorKind.NotFound => StatusCodes.Status404NotFound,
        ErrorKind.Conflict => StatusCodes.Status409Conflict,
        ErrorKind.PayloadTooLarge => StatusCodes.Status413PayloadTooLarge,
        ErrorKind.Validation => StatusCodes.Status422UnprocessableEntity,
        ErrorKind.RateLimited => StatusCodes.Status429TooManyRequests,
        ErrorKind.Transient => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };
}
