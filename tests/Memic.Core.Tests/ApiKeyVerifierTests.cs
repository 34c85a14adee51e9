using Memic.Core.Keys;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Memic.Core.Tests;

public sealed class ApiKeyVerifierTests : IDisposable
{
    private readonly CountingKeyStore _store = new();
    private readonly SingleProjectCatalog _catalog = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));
    private readonly KeyVerificationOptions _options = new();
    private ApiKeyVerifier? _verifier;

    private ApiKeyVerifier Verifier => _verifier ??= new ApiKeyVerifier(_store, _catalog, _catalog, Options.Create(_options), _time, NullLogger<ApiKeyVerifier>.Instance);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _verifier?.Dispose();

    private async Task<(string Key, Guid KeyId, Guid EnvironmentId)> AddKeyAsync(string slug = "production")
    {
        var environment = _catalog.AddReadyEnvironment(slug);
        var key = ApiKeyFormat.NewEnvironmentKey();
        var keyId = Guid.NewGuid();
        await _store.PutAsync(new ApiKeyBinding(ApiKeyFormat.Hash(key), KeyScope.Environment, keyId, environment.Id), Ct);
        return (key, keyId, environment.Id);
    }

    [Fact]
    public async Task Known_key_resolves_its_environment_project_and_organization()
    {
        var (key, keyId, environmentId) = await AddKeyAsync("staging");

        var caller = await Verifier.VerifyAsync(key, Ct);

        Assert.NotNull(caller);
        Assert.Equal(KeyScope.Environment, caller.Scope);
        Assert.Equal(keyId, caller.KeyId);
        Assert.Equal(environmentId, caller.Environment!.Environment.Id);
        Assert.Equal("staging", caller.Environment.Environment.Slug);
        Assert.Equal(_catalog.Project.Id, caller.Environment.Project.Id);
        Assert.Equal(_catalog.Organization.Id, caller.Environment.Organization.Id);
        Assert.True(_catalog.LastUsed.ContainsKey(keyId));
    }

    [Fact]
    public async Task Key_of_an_expiring_environment_is_refused_at_expiry_though_its_check_was_cached()
    {
        var (key, _, environmentId) = await AddKeyAsync();
        _catalog.Environments[environmentId] = _catalog.Environments[environmentId] with { ExpiresAt = _time.GetUtcNow().AddSeconds(10) };
        Assert.NotNull(await Verifier.VerifyAsync(key, Ct));

        _time.Advance(TimeSpan.FromSeconds(9));
        var before = await Verifier.VerifyAsync(key, Ct);
        _time.Advance(TimeSpan.FromSeconds(1));
        var atExpiry = await Verifier.VerifyAsync(key, Ct);

        Assert.NotNull(before);
        Assert.Null(atExpiry);
    }

    [Fact]
    public async Task Verified_key_is_served_from_cache_until_the_positive_ttl_passes()
    {
        var (key, _, _) = await AddKeyAsync();

        await Verifier.VerifyAsync(key, Ct);
        _time.Advance(TimeSpan.FromSeconds(29));
        await Verifier.VerifyAsync(key, Ct);
        Assert.Equal(1, _store.Lookups);

        _time.Advance(TimeSpan.FromSeconds(2));
        await Verifier.VerifyAsync(key, Ct);
        Assert.Equal(2, _store.Lookups);
    }

    [Fact]
    public async Task Key_revoked_elsewhere_stops_working_within_30_seconds()
    {
        // Another instance revokes the key: this one only learns of it when its cache entry expires.
        var (key, _, _) = await AddKeyAsync();
        Assert.NotNull(await Verifier.VerifyAsync(key, Ct));

        await _store.DeleteAsync(ApiKeyFormat.Hash(key), Ct);
        _time.Advance(TimeSpan.FromSeconds(30));

        Assert.Null(await Verifier.VerifyAsync(key, Ct));
    }

    [Fact]
    public async Task Key_revoked_on_this_instance_stops_working_at_once()
    {
        var (key, keyId, _) = await AddKeyAsync();
        Assert.NotNull(await Verifier.VerifyAsync(key, Ct));

        await _store.DeleteAsync(ApiKeyFormat.Hash(key), Ct);
        Verifier.ForgetKey(keyId);

        Assert.Null(await Verifier.VerifyAsync(key, Ct));
    }

    [Fact]
    public async Task Unknown_key_is_remembered_for_the_negative_ttl_only()
    {
        var unknown = ApiKeyFormat.NewEnvironmentKey();

        for (var i = 0; i < 50; i++)
        {
            Assert.Null(await Verifier.VerifyAsync(unknown, Ct));
        }

        Assert.Equal(1, _store.Lookups);
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Null(await Verifier.VerifyAsync(unknown, Ct));
        Assert.Equal(2, _store.Lookups);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Bearer abc")]
    [InlineData("sk_live_abcdefghijklmnopqrstuvwxyz")]
    [InlineData("mk_")]
    [InlineData("mk_live_has space")]
    [InlineData("mk_live_ünïcödé")]
    public async Task Malformed_keys_are_refused_without_asking_the_store(string? presented)
    {
        Assert.Null(await Verifier.VerifyAsync(presented, Ct));
        Assert.Equal(0, _store.Lookups);
    }

    [Fact]
    public async Task Overlong_key_is_refused_without_asking_the_store()
    {
        Assert.Null(await Verifier.VerifyAsync("mk_" + new string('a', 5000), Ct));
        Assert.Equal(0, _store.Lookups);
    }

    [Fact]
    public async Task Concurrent_requests_with_the_same_bad_key_share_one_store_lookup()
    {
        _store.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var bad = ApiKeyFormat.NewEnvironmentKey();

        var pending = Enumerable.Range(0, 100).Select(_ => Verifier.VerifyAsync(bad, Ct).AsTask()).ToArray();
        _store.Gate.SetResult();
        var results = await Task.WhenAll(pending);

        Assert.All(results, Assert.Null);
        Assert.Equal(1, _store.Lookups);
    }

    [Fact]
    public async Task Flood_of_distinct_bad_keys_keeps_the_cache_bounded()
    {
        _options.MaxCachedKeys = 100;
        _options.MaxUnknownKeyLookupsPerSecond = 0;

        for (var i = 0; i < 1_000; i++)
        {
            await Verifier.VerifyAsync(ApiKeyFormat.NewEnvironmentKey(), Ct);
        }

        Assert.InRange(Verifier.CachedKeyCount, 1, 100);
    }

    [Fact]
    public async Task Flood_of_bad_keys_does_not_evict_a_good_key_before_bad_ones()
    {
        _options.MaxCachedKeys = 50;
        _options.MaxUnknownKeyLookupsPerSecond = 0;
        var (key, _, _) = await AddKeyAsync();
        await Verifier.VerifyAsync(key, Ct);

        for (var i = 0; i < 200; i++)
        {
            await Verifier.VerifyAsync(ApiKeyFormat.NewEnvironmentKey(), Ct);
        }

        var lookupsBefore = _store.Lookups;
        Assert.NotNull(await Verifier.VerifyAsync(key, Ct));
        Assert.Equal(lookupsBefore, _store.Lookups);
    }

    [Fact]
    public async Task Unknown_keys_past_the_lookup_rate_are_refused_at_once_while_a_known_keys_recheck_still_reaches_the_store()
    {
        _options.MaxUnknownKeyLookupsPerSecond = 2;
        var (key, _, _) = await AddKeyAsync();
        Assert.NotNull(await Verifier.VerifyAsync(key, Ct));
        _time.Advance(TimeSpan.FromSeconds(31));

        var outcomes = new List<string>();
        for (var i = 0; i < 30; i++)
        {
            try
            {
                outcomes.Add(await Verifier.VerifyAsync(ApiKeyFormat.NewEnvironmentKey(), Ct) is null ? "unknown" : "known");
            }
            catch (Errors.KeyVerificationBusyException busy)
            {
                Assert.Equal(TimeSpan.FromSeconds(1), busy.RetryAfter);
                outcomes.Add("busy");
            }
        }

        var lookupsBefore = _store.Lookups;
        var recheck = await Verifier.VerifyAsync(key, Ct);

        Assert.Equal(2 * 5, outcomes.Count(o => o == "unknown"));
        Assert.Equal(30 - (2 * 5), outcomes.Count(o => o == "busy"));
        Assert.NotNull(recheck);
        Assert.Equal(lookupsBefore + 1, _store.Lookups);
    }

    [Fact]
    public async Task Unknown_keys_waiting_for_a_lookup_are_bounded_and_the_excess_is_refused_without_waiting()
    {
        _options.MaxUnknownKeyLookupsPerSecond = 0;
        _options.MaxConcurrentLookups = 1;
        _options.MaxQueuedLookups = 2;
        _store.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var waiting = Enumerable.Range(0, 3).Select(_ => Verifier.VerifyAsync(ApiKeyFormat.NewEnvironmentKey(), Ct).AsTask()).ToArray();
        var refused = await Assert.ThrowsAsync<Errors.KeyVerificationBusyException>(async () => await Verifier.VerifyAsync(ApiKeyFormat.NewEnvironmentKey(), Ct));
        _store.Gate.SetResult();
        var answered = await Task.WhenAll(waiting);

        Assert.NotNull(refused);
        Assert.All(answered, Assert.Null);
    }

    [Fact]
    public async Task An_address_that_failed_too_often_gets_429_for_unproven_keys_until_the_minute_ends_and_others_are_unaffected()
    {
        _options.MaxFailedAuthenticationsPerMinute = 3;
        var (key, _, _) = await AddKeyAsync();
        Assert.NotNull(await Verifier.VerifyAsync(key, "10.0.0.1", Ct));

        for (var i = 0; i < 3; i++)
        {
            Assert.Null(await Verifier.VerifyAsync(ApiKeyFormat.NewEnvironmentKey(), "10.0.0.1", Ct));
        }

        var lookupsBefore = _store.Lookups;
        var blocked = await Assert.ThrowsAsync<Errors.RateLimitedException>(async () => await Verifier.VerifyAsync(ApiKeyFormat.NewEnvironmentKey(), "10.0.0.1", Ct));
        var lookupsWhileBlocked = _store.Lookups - lookupsBefore;
        var provenKey = await Verifier.VerifyAsync(key, "10.0.0.1", Ct);
        var otherAddress = await Verifier.VerifyAsync(ApiKeyFormat.NewEnvironmentKey(), "10.0.0.2", Ct);
        _time.Advance(TimeSpan.FromMinutes(1));
        var nextMinute = await Verifier.VerifyAsync(ApiKeyFormat.NewEnvironmentKey(), "10.0.0.1", Ct);

        Assert.InRange(blocked.RetryAfter, TimeSpan.FromTicks(1), TimeSpan.FromMinutes(1));
        Assert.Equal(0, lookupsWhileBlocked);
        Assert.NotNull(provenKey);
        Assert.Null(otherAddress);
        Assert.Null(nextMinute);
    }

    [Fact]
    public async Task Key_of_an_environment_that_is_not_ready_is_refused()
    {
        var (key, _, environmentId) = await AddKeyAsync();
        await _catalog.SetEnvironmentStatusAsync(environmentId, Tenancy.EnvironmentStatus.Deleting, _time.GetUtcNow(), Ct);

        Assert.Null(await Verifier.VerifyAsync(key, Ct));
    }

    [Fact]
    public async Task Forgetting_an_environment_refuses_its_cached_keys_at_once()
    {
        var (key, _, environmentId) = await AddKeyAsync();
        Assert.NotNull(await Verifier.VerifyAsync(key, Ct));

        await _catalog.SetEnvironmentStatusAsync(environmentId, Tenancy.EnvironmentStatus.Deleting, _time.GetUtcNow(), Ct);
        Verifier.ForgetEnvironment(environmentId);

        Assert.Null(await Verifier.VerifyAsync(key, Ct));
    }

    [Fact]
    public async Task Configured_admin_key_is_an_admin_caller_and_other_keys_are_not()
    {
        var adminKey = ApiKeyFormat.NewAdminKey();
        _options.AdminKey = adminKey;
        var (environmentKey, _, _) = await AddKeyAsync();

        Assert.True((await Verifier.VerifyAsync(adminKey, Ct))!.IsAdmin);
        Assert.False((await Verifier.VerifyAsync(environmentKey, Ct))!.IsAdmin);
        Assert.Null(await Verifier.VerifyAsync(adminKey + "x", Ct));
    }

    [Fact]
    public async Task Stored_admin_binding_is_an_admin_caller_without_environment()
    {
        var adminKey = ApiKeyFormat.NewAdminKey();
        await _store.PutAsync(new ApiKeyBinding(ApiKeyFormat.Hash(adminKey), KeyScope.Admin, Guid.NewGuid(), null), Ct);

        var caller = await Verifier.VerifyAsync(adminKey, Ct);

        Assert.True(caller!.IsAdmin);
        Assert.Null(caller.Environment);
    }
}
