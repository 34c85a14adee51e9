using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Memic.Azure.Provisioning.Internals;

/// <summary>
/// The ARM deployment of a search service is named after the service, so deploying the same service again finds (and
/// harmlessly repeats, or waits for) the same deployment instead of starting a second one.
/// </summary>
internal static class ArmDeploymentName
{
    private const string Prefix = "memic-search-";
    private const int MaxLength = 64;

    public static string For(string serviceName)
    {
        var name = Prefix + serviceName;
        if (name.Length <= MaxLength)
        {
            return name;
        }

        // Too long for ARM: keep a readable start and a hash of the whole name, so two long names never collide.
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(serviceName)))[..12];
        return string.Create(CultureInfo.InvariantCulture, $"{name[..(MaxLength - hash.Length - 1)]}-{hash}");
    }
}
