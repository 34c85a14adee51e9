namespace Memic.Azure.Provisioning;

/// <summary>
/// ARM refused or failed a search service deployment for a reason a retry will not fix (a missing permission, a taken
/// name, a quota). The message carries ARM's error code and message, never a token. Busy or unreachable ARM, and a
/// deployment still running when the wait ends, surface as <see cref="Memic.Core.Errors.TransientException"/> instead.
/// </summary>
public sealed class SearchServiceDeploymentException : InvalidOperationException
{
    public SearchServiceDeploymentException(string message, string? armErrorCode, int? status = null)
        : base(message)
    {
        ArmErrorCode = armErrorCode;
        Status = status;
    }

    public SearchServiceDeploymentException()
    {
    }

    public SearchServiceDeploymentException(string message)
        : base(message)
    {
    }

    public SearchServiceDeploymentException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The code of the root cause, e.g. AuthorizationFailed, ServiceNameUnavailable or ResourceQuotaExceeded.</summary>
    public string? ArmErrorCode { get; }

    /// <summary>The HTTP status ARM answered, when it refused the request itself rather than failing the deployment.</summary>
    public int? Status { get; }
}
