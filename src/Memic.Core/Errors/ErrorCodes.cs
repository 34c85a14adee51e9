namespace Memic.Core.Errors;

/// <summary>The error codes of CONTRACT §11, exactly as clients match on them.</summary>
public static class ErrorCodes
{
    public const string BadRequest = "bad_request";
    public const string InvalidFileType = "invalid_file_type";
    public const string InvalidApiKey = "invalid_api_key";

    /// <summary>Sign-in with a wrong email or password (CONTRACT §15).</summary>
    public const string InvalidCredentials = "invalid_credentials";

    /// <summary>A dashboard route without a live session.</summary>
    public const string NotSignedIn = "not_signed_in";
    public const string Forbidden = "forbidden";
    public const string NotFound = "not_found";
    public const string FileNotFound = "file_not_found";
    public const string PromptNotFound = "prompt_not_found";
    public const string FolderNotFound = "folder_not_found";
    public const string Conflict = "conflict";
    public const string FileStillProcessing = "file_still_processing";
    public const string FileTooLarge = "file_too_large";
    public const string ValidationError = "validation_error";
    public const string RateLimitExceeded = "rate_limit_exceeded";
    public const string QuotaExceeded = "quota_exceeded";
    public const string InternalError = "internal_error";
    public const string ServiceUnavailable = "service_unavailable";
    public const string AdminUnavailable = "admin_unavailable";
    public const string EmbeddingUnavailable = "embedding_unavailable";
    public const string ConnectorUnreachable = "connector_unreachable";
    public const string StructuredSearchUnavailable = "structured_search_unavailable";
    public const string StructuredQueryFailed = "structured_query_failed";
}
