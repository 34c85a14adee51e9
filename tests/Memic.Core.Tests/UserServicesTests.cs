using System.Collections.Concurrent;
using Memic.Core.Errors;
using Memic.Core.Ports;
using Memic.Core.Users;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Memic.Core.Tests;

/// <summary>Sessions' lifetimes and the sign-in lockout, on a fake clock.</summary>
public sealed class UserServicesTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero));
    private readonly InMemoryUsers _users = new();
    private readonly SessionOptions _options = new() { AbsoluteLifetime = TimeSpan.FromHours(8), IdleTimeout = TimeSpan.FromMinutes(30) };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private SignInService SignIn => new(_users, new PlainHasher(), Options.Create(_options), _time, NullLogger<SignInService>.Instance);

    private MemicUser AddUser(string email = "ada@example.com", string password = "correct horse")
    {
        var user = new MemicUser(Guid.NewGuid(), Guid.NewGuid(), email, UserRole.Admin, "hash:" + password, _time.GetUtcNow());
        _users.Users[user.Id] = user;
        return user;
    }

    [Fact]
    public async Task A_session_ends_after_the_idle_timeout_without_use()
    {
        AddUser();
        var started = await SignIn.LoginAsync("ada@example.com", "correct horse", Ct);

        _time.Advance(TimeSpan.FromMinutes(29));
        var stillActive = await SignIn.AuthenticateAsync(started.Token, Ct);
        _time.Advance(TimeSpan.FromMinutes(30));
        var idle = await SignIn.AuthenticateAsync(started.Token, Ct);

        Assert.NotNull(stillActive);
        Assert.Null(idle);
        Assert.Empty(_users.Sessions);
    }

    [Fact]
    public async Task A_session_in_constant_use_still_ends_at_its_absolute_lifetime()
    {
        AddUser();
        var started = await SignIn.LoginAsync("ada@example.com", "correct horse", Ct);

        for (var elapsed = TimeSpan.Zero; elapsed < TimeSpan.FromHours(8) - TimeSpan.FromMinutes(20); elapsed += TimeSpan.FromMinutes(20))
        {
            _time.Advance(TimeSpan.FromMinutes(20));
            Assert.NotNull(await SignIn.AuthenticateAsync(started.Token, Ct));
        }

        _time.Advance(TimeSpan.FromMinutes(20));
        Assert.Null(await SignIn.AuthenticateAsync(started.Token, Ct));
    }

    [Fact]
    public async Task The_lockout_lifts_once_the_oldest_failure_is_fifteen_minutes_old()
    {
        AddUser();
        for (var i = 0; i < 10; i++)
        {
            await Assert.ThrowsAsync<MemicException>(() => SignIn.LoginAsync("ada@example.com", "wrong", Ct));
            _time.Advance(TimeSpan.FromMinutes(1));
        }

        var locked = await Assert.ThrowsAsync<RateLimitedException>(() => SignIn.LoginAsync("ada@example.com", "correct horse", Ct));
        Assert.Equal(TimeSpan.FromMinutes(5), locked.RetryAfter);

        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.NotNull(await SignIn.LoginAsync("ada@example.com", "correct horse", Ct));
    }

    [Fact]
    public async Task The_antiforgery_token_belongs_to_its_session_alone()
    {
        AddUser();
        var first = await SignIn.LoginAsync("ada@example.com", "correct horse", Ct);
        var second = await SignIn.LoginAsync("ada@example.com", "correct horse", Ct);

        var again = await SignIn.AuthenticateAsync(first.Token, Ct);

        Assert.Equal(first.SignedIn.AntiforgeryToken, again!.AntiforgeryToken);
        Assert.NotEqual(first.SignedIn.AntiforgeryToken, second.SignedIn.AntiforgeryToken);
        Assert.True(SignInService.IsAntiforgeryTokenValid(again, first.SignedIn.AntiforgeryToken));
        Assert.False(SignInService.IsAntiforgeryTokenValid(again, second.SignedIn.AntiforgeryToken));
        Assert.False(SignInService.IsAntiforgeryTokenValid(again, null));
    }

    /// <summary>Not a real hash: these tests are about sessions and lockout, not hashing.</summary>
    private sealed class PlainHasher : IUserPasswordHasher
    {
        public string Hash(string password) => "hash:" + password;

        public bool Verify(string hash, string password) => hash == "hash:" + password;
    }

    private sealed class InMemoryUsers : IUserCatalog
    {
        public ConcurrentDictionary<Guid, MemicUser> Users { get; } = new();

        public ConcurrentDictionary<string, UserSession> Sessions { get; } = new();

        private readonly ConcurrentQueue<(string Email, DateTimeOffset At)> _failures = new();

        public Task AddUserAsync(MemicUser user, CancellationToken cancellationToken)
        {
            Users[user.Id] = user;
            return Task.CompletedTask;
        }

        public Task<MemicUser?> GetUserAsync(Guid id, CancellationToken cancellationToken) => Task.FromResult(Users.GetValueOrDefault(id));

        public Task<MemicUser?> FindUserByEmailAsync(string email, CancellationToken cancellationToken) =>
            Task.FromResult(Users.Values.FirstOrDefault(u => u.Email == email));

        public Task<IReadOnlyList<MemicUser>> ListUsersAsync(Guid organizationId, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<MemicUser>>([.. Users.Values.Where(u => u.OrganizationId == organizationId)]);

        public Task RemoveUserAsync(Guid id, CancellationToken cancellationToken)
        {
            Users.TryRemove(id, out _);
            return Task.CompletedTask;
        }

        public Task AddSessionAsync(UserSession session, CancellationToken cancellationToken)
        {
            Sessions[Convert.ToHexString(session.TokenHash)] = session;
            return Task.CompletedTask;
        }

        public Task<UserSession?> GetSessionAsync(byte[] tokenHash, CancellationToken cancellationToken) =>
            Task.FromResult(Sessions.GetValueOrDefault(Convert.ToHexString(tokenHash)));

        public Task TouchSessionAsync(byte[] tokenHash, DateTimeOffset lastSeenAt, CancellationToken cancellationToken)
        {
            var key = Convert.ToHexString(tokenHash);
            Sessions[key] = Sessions[key] with { LastSeenAt = lastSeenAt };
            return Task.CompletedTask;
        }

        public Task RemoveSessionAsync(byte[] tokenHash, CancellationToken cancellationToken)
        {
            Sessions.TryRemove(Convert.ToHexString(tokenHash), out _);
            return Task.CompletedTask;
        }

        public Task RecordLoginFailureAsync(string email, DateTimeOffset at, DateTimeOffset forgetBefore, CancellationToken cancellationToken)
        {
            _failures.Enqueue((email, at));
            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<DateTimeOffset>> ListLoginFailuresAsync(string email, DateTimeOffset since, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<DateTimeOffset>>([.. _failures.Where(f => f.Email == email && f.At >= since).Select(f => f.At).Order()]);
    }
}
