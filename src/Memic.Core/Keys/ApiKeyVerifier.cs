using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Memic.Core.Errors;
using Memic.Core.Ports;
using Memic.Core.Tenancy;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Memic.Core.Keys;

/// <summary>
/// Turns a presented key into a <see cref="Caller"/>: a SHA-256 lookup in the key store, a constant-time
/// compare, and an in-memory cache (positive entries for <see cref="KeyVerificationOptions.PositiveCacheTtl"/>,
/// negative ones for <see cref="KeyVerificationOptions.NegativeCacheTtl"/>). Concurrent misses for the same key
/// share one lookup.
/// <para>
/// A flood of random keys must not cost the store (Key Vault, which throttles per vault) the capacity real keys need
/// for their re-checks, so keys this instance has never verified go through a lane of their own: at most
/// <see cref="KeyVerificationOptions.MaxUnknownKeyLookupsPerSecond"/> lookups a second and
/// <see cref="KeyVerificationOptions.MaxQueuedLookups"/> waiting, the excess refused at once with
/// <see cref="KeyVerificationBusyException"/> (503, never 401: the key may be good). A client address with more than
/// <see cref="KeyVerificationOptions.MaxFailedAuthenticationsPerMinute"/> failed attempts gets 429 for keys it has not
/// proved. Re-checks of keys verified before take a lane the flood cannot enter. See docs/limits.md.
/// </para>
/// </summary>
public sealed class ApiKeyVerifier : IDisposable
{
    private readonly IApiKeyStore _store;
    private readonly IKeyCatalog _keys;
    private readonly ITenancyCatalog _tenancy;
    private readonly KeyVerificationOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ApiKeyVerifier> _logger;
    private readonly byte[]? _configuredAdminKeyHash;
    private readonly ConcurrentDictionary<KeyHash, CacheEntry> _cache = new();
    private readonly ConcurrentDictionary<KeyHash, Lazy<Task<Caller?>>> _inFlight = new();
    private readonly SemaphoreSlim _lookupSlots;
    private readonly SemaphoreSlim _recheckSlots;
    private readonly TokenBucket _unknownKeyLookups;
    private readonly FailedAuthentications _failures;
    private int _cachedCount;
    private int _pendingUnknownLookups;

    public ApiKeyVerifier(
        IApiKeyStore store,
        IKeyCatalog keys,
        ITenancyCatalog tenancy,
        IOptions<KeyVerificationOptions> options,
        TimeProvider time,
        ILogger<ApiKeyVerifier> logger)
    {
        _store = store;
        _keys = keys;
        _tenancy = tenancy;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _lookupSlots = new SemaphoreSlim(Math.Max(1, _options.MaxConcurrentLookups));
        _recheckSlots = new SemaphoreSlim(Math.Max(1, _options.MaxConcurrentLookups));
        _unknownKeyLookups = new TokenBucket(_options.MaxUnknownKeyLookupsPerSecond, time);
        _failures = new FailedAuthentications(_options.MaxFailedAuthenticationsPerMinute, _options.MaxCachedKeys, time);
        if (!string.IsNullOrEmpty(_options.AdminKey) && !_options.AdminKeyIsUnresolvedReference)
        {
            _configuredAdminKeyHash = ApiKeyFormat.Hash(_options.AdminKey);
        }
    }

    /// <summary>
    /// True while the admin key is an unresolved Key Vault reference: no admin key can be verified, so the admin API
    /// answers <see cref="AdminApiUnavailableException"/> instead of taking any key.
    /// </summary>
    public bool AdminApiDisabled => _options.AdminKeyIsUnresolvedReference;

    /// <summary>The configured admin key's id: a fixed value, since it has no catalog row.</summary>
    public static readonly Guid ConfiguredAdminKeyId = Guid.Empty;

    /// <summary>Returns the caller a key speaks for, or null when the key is missing, malformed, unknown or revoked.</summary>
    public ValueTask<Caller?> VerifyAsync(string? presentedKey, CancellationToken cancellationToken) =>
        VerifyAsync(presentedKey, clientAddress: null, cancellationToken);

    /// <summary>
    /// As <see cref="VerifyAsync(string?, CancellationToken)"/>, counting failures against <paramref name="clientAddress"/>.
    /// Throws <see cref="RateLimitedException"/> when that address failed too often and the key is not one this instance
    /// has verified, and <see cref="KeyVerificationBusyException"/> when unknown keys are arriving faster than the store may be asked.
    /// </summary>
    public ValueTask<Caller?> VerifyAsync(string? presentedKey, string? clientAddress, CancellationToken cancellationToken)
    {
        if (!ApiKeyFormat.IsPlausible(presentedKey))
        {
            _failures.Record(clientAddress);
            return ValueTask.FromResult<Caller?>(null);
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        Span<byte> utf8 = stackalloc byte[ApiKeyFormat.MaxAcceptedLength];
        var length = Encoding.ASCII.GetBytes(presentedKey, utf8);
        SHA256.HashData(utf8[..length], hash);

        if (_configuredAdminKeyHash is not null && CryptographicOperations.FixedTimeEquals(hash, _configuredAdminKeyHash))
        {
            return ValueTask.FromResult<Caller?>(new Caller(KeyScope.Admin, ConfiguredAdminKeyId, null));
        }

        var cacheKey = KeyHash.From(hash);
        if (_cache.TryGetValue(cacheKey, out var entry))
        {
            if (entry.ExpiresAt > _time.GetUtcNow())
            {
                if (entry.Caller is null)
                {
                    _failures.Record(clientAddress);
                }

                return ValueTask.FromResult(entry.Caller);
            }

            if (entry.Caller is not null)
            {
                // A key this instance verified before: its re-check never waits behind unknown keys.
                return new ValueTask<Caller?>(LookupSharedAsync(cacheKey, hash.ToArray(), _recheckSlots, clientAddress, cancellationToken));
            }
        }

        if (_failures.IsBlocked(clientAddress, out var retryAfter))
        {
            throw new RateLimitedException(retryAfter);
        }

        if (!_inFlight.ContainsKey(cacheKey))
        {
            if (Volatile.Read(ref _pendingUnknownLookups) >= _options.MaxConcurrentLookups + _options.MaxQueuedLookups)
            {
                throw new KeyVerificationBusyException(UnknownKeyRetryAfter);
            }

            if (!_unknownKeyLookups.TryTake())
            {
                throw new KeyVerificationBusyException(UnknownKeyRetryAfter);
            }
        }

        return new ValueTask<Caller?>(LookupUnknownAsync(cacheKey, hash.ToArray(), clientAddress, cancellationToken));
    }

    /// <summary>Drops cached entries of a revoked key so this instance refuses it at once.</summary>
    public void ForgetKey(Guid keyId) => ForgetCallers(caller => caller.KeyId == keyId);

    /// <summary>Drops cached entries of an environment being deleted so this instance refuses its keys at once.</summary>
    public void ForgetEnvironment(Guid environmentId) =>
        ForgetCallers(caller => caller.Environment?.Environment.Id == environmentId);

    /// <summary>Entries held now, positive and negative; exposed for tests of the bound.</summary>
    internal int CachedKeyCount => Volatile.Read(ref _cachedCount);

    public void Dispose()
    {
        _lookupSlots.Dispose();
        _recheckSlots.Dispose();
    }

    /// <summary>How soon a client refused because unknown keys are arriving too fast should try again.</summary>
    private static readonly TimeSpan UnknownKeyRetryAfter = TimeSpan.FromSeconds(1);

    private async Task<Caller?> LookupUnknownAsync(KeyHash cacheKey, byte[] hash, string? clientAddress, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _pendingUnknownLookups);
        try
        {
            return await LookupSharedAsync(cacheKey, hash, _lookupSlots, clientAddress, cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _pendingUnknownLookups);
        }
    }

    private async Task<Caller?> LookupSharedAsync(KeyHash cacheKey, byte[] hash, SemaphoreSlim slots, string? clientAddress, CancellationToken cancellationToken)
    {
        var lookup = _inFlight.GetOrAdd(cacheKey, key => new Lazy<Task<Caller?>>(() => LookupAndCacheAsync(key, hash, slots)));
        // The shared lookup runs to completion for everyone waiting; one caller giving up does not cancel it.
        var caller = await lookup.Value.WaitAsync(cancellationToken);
        if (caller is null)
        {
            _failures.Record(clientAddress);
        }

        return caller;
    }

    private async Task<Caller?> LookupAndCacheAsync(KeyHash cacheKey, byte[] hash, SemaphoreSlim slots)
    {
        try
        {
            await slots.WaitAsync();
            Caller? caller;
            try
            {
                caller = await ResolveAsync(hash);
            }
            finally
            {
                slots.Release();
            }

            var ttl = caller is null ? _options.NegativeCacheTtl : _options.PositiveCacheTtl;
            var expires = _time.GetUtcNow() + ttl;

            // The cache never outlives the environment: its keys stop at expiry, not up to a TTL later (CONTRACT §16).
            if (caller?.Environment?.Environment.ExpiresAt is { } environmentExpiry && environmentExpiry < expires)
            {
                expires = environmentExpiry;
            }

            Remember(cacheKey, new CacheEntry(caller, expires));
            return caller;
        }
        finally
        {
            _inFlight.TryRemove(cacheKey, out _);
        }
    }

    private async Task<Caller?> ResolveAsync(byte[] hash)
    {
        var binding = await _store.FindAsync(hash, CancellationToken.None);
        if (binding is null || !CryptographicOperations.FixedTimeEquals(binding.KeyHash, hash))
        {
            return null;
        }

        if (binding.Scope == KeyScope.Admin)
        {
            return new Caller(KeyScope.Admin, binding.KeyId, null);
        }

        var context = binding.EnvironmentId is { } environmentId
            ? await ResolveEnvironmentAsync(environmentId)
            : null;
        if (context is null)
        {
            return null;
        }

        await MarkUsedAsync(binding.KeyId);
        return new Caller(KeyScope.Environment, binding.KeyId, context with { KeyId = binding.KeyId });
    }

    private async Task<EnvironmentContext?> ResolveEnvironmentAsync(Guid environmentId)
    {
        var environment = await _tenancy.GetEnvironmentAsync(environmentId, CancellationToken.None);
        if (environment is not { Status: EnvironmentStatus.Ready } || environment.IsExpiredAt(_time.GetUtcNow()))
        {
            return null;
        }

        var project = await _tenancy.GetProjectAsync(environment.ProjectId, CancellationToken.None);
        var organization = project is null ? null : await _tenancy.GetOrganizationAsync(project.OrganizationId, CancellationToken.None);
        return project is null || organization is null ? null : new EnvironmentContext(organization, project, environment, Guid.Empty);
    }

    private async Task MarkUsedAsync(Guid keyId)
    {
        // Recorded on cache misses only, so last_used_at is precise to the cache TTL and costs nothing on the hot path.
        try
        {
            await _keys.MarkKeyUsedAsync(keyId, _time.GetUtcNow(), CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _logger.LogWarning(ex, "Could not record last use of key {KeyId}", keyId);
        }
    }

    private void Remember(KeyHash key, CacheEntry entry)
    {
        if (Volatile.Read(ref _cachedCount) >= _options.MaxCachedKeys)
        {
            Trim();
        }

        var added = false;
        _cache.AddOrUpdate(key, _ => { added = true; return entry; }, (_, _) => entry);
        if (added)
        {
            Interlocked.Increment(ref _cachedCount);
        }
    }

    private void Trim()
    {
        var now = _time.GetUtcNow();
        // Under a flood of random keys, unknown keys go first: they are cheap to look up again. Expired entries of
        // verified keys stay while there is room, since they send those keys' re-checks past the flood.
        Forget(entry => entry.Caller is null && entry.ExpiresAt <= now);
        if (Volatile.Read(ref _cachedCount) >= _options.MaxCachedKeys)
        {
            Forget(entry => entry.Caller is null || entry.ExpiresAt <= now);
        }

        if (Volatile.Read(ref _cachedCount) >= _options.MaxCachedKeys)
        {
            Forget(static _ => true);
        }
    }

    private void ForgetCallers(Func<Caller, bool> predicate) => Forget(entry => entry.Caller is { } caller && predicate(caller));

    private void Forget(Func<CacheEntry, bool> predicate)
    {
        foreach (var (key, entry) in _cache)
        {
            if (predicate(entry) && _cache.TryRemove(new KeyValuePair<KeyHash, CacheEntry>(key, entry)))
            {
                Interlocked.Decrement(ref _cachedCount);
            }
        }
    }

    private sealed record CacheEntry(Caller? Caller, DateTimeOffset ExpiresAt);

    /// <summary>A SHA-256 as four machine words: cheap to hash and compare as a dictionary key.</summary>
    private readonly record struct KeyHash(ulong A, ulong B, ulong C, ulong D)
    {
        public static KeyHash From(ReadOnlySpan<byte> hash)
        {
            var words = MemoryMarshal.Cast<byte, ulong>(hash);
            return new KeyHash(words[0], words[1], words[2], words[3]);
        }
    }
}
