using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Memic.Core.Errors;
using Memic.Core.Ports;
using Microsoft.Extensions.Options;

namespace Memic.Core.Files;

/// <summary>The parts of a signed upload URL's query.</summary>
public sealed record UploadGrant(Guid FileId, Guid EnvironmentId, long ExpiresUnixSeconds, string Signature);

/// <summary>
/// Signs and checks upload URLs: an HMAC-SHA256 over file id, environment id and expiry, so a URL works for one
/// file of one environment until it expires, and for nothing else (CONTRACT §3).
/// </summary>
public sealed class UploadUrlSigner(IOptions<UploadOptions> options, IHostSettingsCatalog settings, TimeProvider time) : IDisposable
{
    public const string UploadPathPrefix = "/api/v1/uploads/";
    private const string GeneratedKeySetting = "upload_signing_key";
    private readonly SemaphoreSlim _keyLock = new(1, 1);
    private byte[]? _key;

    public async Task<(string Url, int ExpiresIn)> CreateUrlAsync(string baseUrl, Guid fileId, Guid environmentId, CancellationToken cancellationToken)
    {
        var lifetime = options.Value.UrlLifetime;
        var expires = time.GetUtcNow().Add(lifetime).ToUnixTimeSeconds();
        var signature = Sign(await GetKeyAsync(cancellationToken), fileId, environmentId, expires);
        var root = (options.Value.PublicBaseUrl is { Length: > 0 } configured ? configured : baseUrl).TrimEnd('/');
        var url = $"{root}{UploadPathPrefix}{fileId:D}?environment_id={environmentId:D}&expires={expires.ToString(CultureInfo.InvariantCulture)}&signature={signature}";
        return (url, (int)lifetime.TotalSeconds);
    }

    /// <summary>Throws 403 unless the grant is intact and unexpired.</summary>
    public async Task VerifyAsync(UploadGrant grant, CancellationToken cancellationToken)
    {
        var expected = Sign(await GetKeyAsync(cancellationToken), grant.FileId, grant.EnvironmentId, grant.ExpiresUnixSeconds);
        var intact = CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(grant.Signature));
        if (!intact)
        {
            throw new ForbiddenException("The upload URL's signature is not valid for this file.");
        }

        if (time.GetUtcNow().ToUnixTimeSeconds() >= grant.ExpiresUnixSeconds)
        {
            throw new ForbiddenException("The upload URL has expired; request a new one with POST /files/init.");
        }
    }

    public void Dispose() => _keyLock.Dispose();

    private static string Sign(byte[] key, Guid fileId, Guid environmentId, long expires)
    {
        var message = Encoding.ASCII.GetBytes($"{fileId:D}\n{environmentId:D}\n{expires.ToString(CultureInfo.InvariantCulture)}");
        return Base64Url.EncodeToString(HMACSHA256.HashData(key, message));
    }

    private async ValueTask<byte[]> GetKeyAsync(CancellationToken cancellationToken)
    {
        if (_key is { } key)
        {
            return key;
        }

        await _keyLock.WaitAsync(cancellationToken);
        try
        {
            if (_key is null)
            {
                var encoded = options.Value.SigningKey is { Length: > 0 } configured
                    ? configured
                    : await settings.GetOrAddSettingAsync(GeneratedKeySetting, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), cancellationToken);
                _key = Convert.FromBase64String(encoded);
            }

            return _key;
        }
        finally
        {
            _keyLock.Release();
        }
    }
}
