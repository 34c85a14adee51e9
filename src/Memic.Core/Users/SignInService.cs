using System.Security.Cryptography;
using System.Text;
using Memic.Core.Errors;
using Memic.Core.Ports;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Memic.Core.Users;

/// <summary>
/// Signs users in and out and resolves a session token to its user (CONTRACT §15). Sessions live in the catalog as the
/// SHA-256 of a random token, with an absolute lifetime and an idle timeout. Ten failed sign-ins for one email within
/// 15 minutes lock that email (429) until the oldest failure ages out, even for the right password.
/// </summary>
public sealed class SignInService
{
    public const int MaxFailures = 10;
    public static readonly TimeSpan FailureWindow = TimeSpan.FromMinutes(15);

    /// <summary>How stale a session's last-seen time may get before a request records it: one write a minute, not one per request.</summary>
    private static readonly TimeSpan TouchInterval = TimeSpan.FromMinutes(1);

    private static readonly byte[] AntiforgeryPurpose = Encoding.ASCII.GetBytes("memic-antiforgery-v1");

    private readonly IUserCatalog _users;
    private readonly IUserPasswordHasher _hasher;
    private readonly SessionOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<SignInService> _logger;

    /// <summary>A real hash of nothing anyone knows: an unknown email is checked against it, so it costs what a wrong password does.</summary>
    private readonly string _decoyHash;

    public SignInService(IUserCatalog users, IUserPasswordHasher hasher, IOptions<SessionOptions> options, TimeProvider time, ILogger<SignInService> logger)
    {
        _users = users;
        _hasher = hasher;
        _options = options.Value;
        _time = time;
        _logger = logger;
        // Made now, not on first use, so not even the first unknown email answers faster.
        _decoyHash = hasher.Hash(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
    }

    public async Task<StartedSession> LoginAsync(string? email, string? password, CancellationToken cancellationToken)
    {
        var normalized = UserInput.NormalizeEmail(email);
        var now = _time.GetUtcNow();
        // A failure exactly FailureWindow old has aged out, so Retry-After is exactly when the lock lifts.
        var failures = (await _users.ListLoginFailuresAsync(normalized, now - FailureWindow, cancellationToken)).Where(at => at > now - FailureWindow).ToList();
        if (failures.Count >= MaxFailures)
        {
            _logger.LogWarning("Sign-in refused: too many failures for one email in {Window}", FailureWindow);
            throw new RateLimitedException(failures[^MaxFailures] + FailureWindow - now);
        }

        var user = normalized.Length == 0 ? null : await _users.FindUserByEmailAsync(normalized, cancellationToken);
        var matches = _hasher.Verify(user?.PasswordHash ?? _decoyHash, password ?? string.Empty) && user is not null;
        if (!matches)
        {
            await _users.RecordLoginFailureAsync(normalized, now, now - FailureWindow, cancellationToken);
            _logger.LogInformation("Sign-in failed for {UserId}", user?.Id.ToString() ?? "an unknown email");
            throw InvalidCredentials();
        }

        var token = NewToken();
        var session = new UserSession(Hash(token), user!.Id, now, now, now + _options.AbsoluteLifetime);
        await _users.AddSessionAsync(session, cancellationToken);
        _logger.LogInformation("User {UserId} signed in", user.Id);
        return new StartedSession(new SignedInUser(user, session, AntiforgeryTokenFor(token)), token);
    }

    /// <summary>The session's user, or null when the token is unknown, expired, idle too long, or its user is gone.</summary>
    public async Task<SignedInUser?> AuthenticateAsync(string? token, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 100)
        {
            return null;
        }

        var hash = Hash(token);
        var session = await _users.GetSessionAsync(hash, cancellationToken);
        if (session is null)
        {
            return null;
        }

        var now = _time.GetUtcNow();
        var user = await _users.GetUserAsync(session.UserId, cancellationToken);
        if (user is null || now >= session.ExpiresAt || now - session.LastSeenAt >= _options.IdleTimeout)
        {
            await _users.RemoveSessionAsync(hash, cancellationToken);
            return null;
        }

        if (now - session.LastSeenAt >= TouchInterval)
        {
            await _users.TouchSessionAsync(hash, now, cancellationToken);
            session = session with { LastSeenAt = now };
        }

        return new SignedInUser(user, session, AntiforgeryTokenFor(token));
    }

    public async Task LogoutAsync(SignedInUser signedIn, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(signedIn);
        await _users.RemoveSessionAsync(signedIn.Session.TokenHash, cancellationToken);
        _logger.LogInformation("User {UserId} signed out", signedIn.User.Id);
    }

    /// <summary>Whether a presented antiforgery token is the session's, compared in constant time.</summary>
    public static bool IsAntiforgeryTokenValid(SignedInUser signedIn, string? presented)
    {
        ArgumentNullException.ThrowIfNull(signedIn);
        return !string.IsNullOrEmpty(presented)
            && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(presented), Encoding.ASCII.GetBytes(signedIn.AntiforgeryToken));
    }

    public static MemicException InvalidCredentials() =>
        new(ErrorKind.Unauthorized, ErrorCodes.InvalidCredentials, "The email or password is wrong.");

    /// <summary>
    /// Derived from the session token rather than stored: bound to the session, unknown to another site (the cookie is
    /// HttpOnly and the token never leaves this server otherwise), and nothing more to keep.
    /// </summary>
    private static string AntiforgeryTokenFor(string token) =>
        Base64Url(HMACSHA256.HashData(Encoding.ASCII.GetBytes(token), AntiforgeryPurpose));

    private static string NewToken() => Base64Url(RandomNumberGenerator.GetBytes(32));

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
