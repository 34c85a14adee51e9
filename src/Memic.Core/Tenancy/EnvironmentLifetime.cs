using Memic.Core.Errors;
using Memic.Core.Ports;
using Microsoft.Extensions.Logging;

namespace Memic.Core.Tenancy;

/// <summary>Options of short-lived environments (<c>Memic:Environments</c>, CONTRACT §16).</summary>
public sealed class EnvironmentLifetimeOptions
{
    public const string Section = "Memic:Environments";

    /// <summary>How often expired environments are looked for; the contract deletes them within 5 minutes of expiry.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>The lifetime a request asks for: an RFC 3339 <c>expires_at</c> or a <c>ttl_hours</c> from now, never both.</summary>
public static class EnvironmentLifetime
{
    /// <summary>Ten years: long enough for anything short-lived, short enough that the arithmetic cannot overflow.</summary>
    public const double MaxTtlHours = 24 * 365 * 10;

    /// <summary>The expiry asked for, or null for none; 422 for both, a past time, or a lifetime out of range.</summary>
    public static DateTimeOffset? ExpiryFrom(DateTimeOffset? expiresAt, double? ttlHours, DateTimeOffset now)
    {
        if (expiresAt is not null && ttlHours is not null)
        {
            throw new ValidationException("ttl_hours", "Give expires_at or ttl_hours, not both.", "value_error");
        }

        if (ttlHours is { } hours)
        {
            return hours is > 0 and <= MaxTtlHours
                ? now + TimeSpan.FromHours(hours)
                : throw new ValidationException("ttl_hours", $"ttl_hours must be greater than 0 and at most {MaxTtlHours}.", "value_error");
        }

        return expiresAt is { } at && at <= now
            ? throw new ValidationException("expires_at", "expires_at must be in the future.", "value_error")
            : expiresAt?.ToUniversalTime();
    }
}

/// <summary>
/// Deletes environments whose lifetime ended, exactly as DELETE does (so a sweep cut short is finished by the next one).
/// Run by a timer in each host: a hosted loop in the local server, a timer trigger in the Functions app.
/// </summary>
public sealed class ExpiredEnvironmentSweep(ITenancyCatalog catalog, EnvironmentService environments, TimeProvider time, ILogger<ExpiredEnvironmentSweep> logger)
{
    /// <summary>Deletes every expired environment; returns how many were deleted. One failing does not stop the others.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var deleted = 0;
        foreach (var environment in (await catalog.ListEnvironmentsAsync(cancellationToken)).Where(e => e.IsExpiredAt(now)))
        {
            try
            {
                await environments.DeleteAsync(environment.Id, cancellationToken);
                logger.LogInformation("Deleted environment {EnvironmentId} ({Slug}): it expired at {ExpiresAt}", environment.Id, environment.Slug, environment.ExpiresAt);
                deleted++;
            }
            catch (NotFoundException)
            {
                // Deleted meanwhile by a request or another instance's sweep.
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Deleting expired environment {EnvironmentId} failed; the next sweep retries", environment.Id);
            }
        }

        return deleted;
    }
}
