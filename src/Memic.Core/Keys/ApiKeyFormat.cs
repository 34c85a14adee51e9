using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Memic.Core.Keys;

/// <summary>
/// The shape of Memic keys: <c>mk_live_</c> (environment) or <c>mk_admin_</c> (admin) followed by
/// 32 random bytes in base64url without padding (43 characters).
/// </summary>
public static class ApiKeyFormat
{
    public const string EnvironmentPrefix = "mk_live_";
    public const string AdminPrefix = "mk_admin_";
    public const string AcceptedPrefix = "mk_";

    private const int RandomBytes = 32;

    /// <summary>Longest key we bother hashing; anything longer is refused without a store lookup.</summary>
    public const int MaxAcceptedLength = 256;

    /// <summary>How many characters of a key are kept as its displayable prefix.</summary>
    public const int DisplayPrefixLength = 12;

    public static string NewEnvironmentKey() => EnvironmentPrefix + RandomPart();

    public static string NewAdminKey() => AdminPrefix + RandomPart();

    /// <summary>
    /// Whether a presented key is worth looking up: starts with <c>mk_</c>, is not absurdly long and
    /// holds only printable ASCII. CONTRACT §1 accepts any <c>mk_</c> key, so no stricter check.
    /// </summary>
    public static bool IsPlausible(string? key)
    {
        if (key is null || key.Length <= AcceptedPrefix.Length || key.Length > MaxAcceptedLength ||
            !key.StartsWith(AcceptedPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in key)
        {
            if (c is < '!' or > '~')
            {
                return false;
            }
        }

        return true;
    }

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    public static string HashHex(string key) => Convert.ToHexStringLower(Hash(key));

    public static string DisplayPrefix(string key) => key[..Math.Min(DisplayPrefixLength, key.Length)];

    private static string RandomPart()
    {
        Span<byte> bytes = stackalloc byte[RandomBytes];
        RandomNumberGenerator.Fill(bytes);
        return Base64Url.EncodeToString(bytes);
    }
}
