using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Memic.Core.Ports;
using Memic.Core.Tenancy;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Memic.Core.Keys;

/// <summary>
/// Turns a presented key into a <see cref="Caller"/>: a SHA-256 lookup in the key store, a constant-time
/// compare, and an in-memory cache (positive entries for <see cref="KeyVerificationOptions.PositiveCacheTtl"/>,
/// negative ones for <see cref="KeyVerificationOptions.NegativeCacheTtl"/>). Concurrent misses for the same key
/// share one lookup, and lookups overall are bounded, so a flood of bad keys cannot hammer the store.
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
    private int _cachedCount;

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
    public ValueTask<Caller?> VerifyAsync(string? presentedKey, CancellationToken cancellationToken)
    {
        if (!ApiKeyFormat.IsPlausible(presentedKey))
        {
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
        if (_cache.TryGetValue(cacheKey, out var entry) && entry.ExpiresAt > _time.GetUtcNow())
        {
            return ValueTask.FromResult(entry.Caller);
        }

        // An entry cached up to its environment's expiry is past it now: looked up again, the key is refused.

        return new ValueTask<Caller?>(LookupSharedAsync(cacheKey, hash.ToArray(), cancellationToken));
    }

    /// <summary>Drops cached entries of a revoked key so this instance refuses it at once.</summary>
    public void ForgetKey(Guid keyId) => ForgetCallers(caller => caller.KeyId == keyId);

    /// <summary>Drops cached entries of an environment being deleted so this instance refuses its keys at once.</summary>
    public void ForgetEnvironment(Guid environmentId) =>
        ForgetCallers(caller => caller.Environment?.Environment.Id == environmentId);

    /// <summary>Entries held now, positive and negative; exposed for tests of the bound.</summary>
    internal int CachedKeyCount => Volatile.Read(ref _cachedCount);

    public void Dispose() => _lookupSlots.Dispose();

    private async Task<Caller?> LookupSharedAsync(KeyHash cacheKey, byte[] hash, CancellationToken cancellationToken)
    {
        var lookup = _inFlight.GetOrAdd(cacheKey, key => new Lazy<Task<Caller?>>(() => LookupAndCacheAsync(key, hash)));
        // The shared lookup runs to completion for everyone waiting; one caller giving up does not cancel it.
        return await lookup.Value.WaitAsync(cancellationToken);
    }

    private async Task<Caller?> LookupAndCacheAsync(KeyHash cacheKey, byte[] hash)
    {
        try
        {
            await _lookupSlots.WaitAsync();
            Caller? caller;
            try
            {
                caller = await ResolveAsync(hash);
            }
            finally
            {
                _lookupSlots.Release();
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
        Forget(entry => entry.ExpiresAt <= now);
        if (Volatile.Read(ref _cachedCount) >= _options.MaxCachedKeys)
        {
            // Under a flood of random keys, unknown keys go first: they are cheap to look up again.
            Forget(entry => entry.Caller is null);
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
