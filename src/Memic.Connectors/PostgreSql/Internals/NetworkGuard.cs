using System.Net;
using System.Net.Sockets;
using Memic.Core.Connectors;

namespace Memic.Connectors.PostgreSql.Internals;

/// <summary>
/// Where a connector may connect. The host is resolved once, every address it resolves to is checked, and the caller
/// connects to the checked address itself, so a DNS answer that changes between check and connect (rebinding) cannot
/// lead a tenant's connector into the deployment's own network.
/// </summary>
internal static class NetworkGuard
{
    public static async Task<IPAddress> ResolveAsync(string host, bool allowPrivateNetworks, CancellationToken cancellationToken)
    {
        IPAddress[] addresses;
        if (IPAddress.TryParse(host, out var literal))
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = await Dns.GetHostAddressesAsync(host, cancellationToken);
            }
            catch (SocketException ex)
            {
                throw new ConnectorUnreachableException($"The database host '{host}' could not be resolved ({ex.SocketErrorCode}).", ex);
            }
        }

        if (addresses.Length == 0)
        {
            throw new ConnectorUnreachableException($"The database host '{host}' resolved to no address.");
        }

        if (!allowPrivateNetworks && addresses.FirstOrDefault(IsNonPublic) is { } refused)
        {
            throw new ConnectorUnreachableException(
                $"The database host '{host}' resolves to {refused}, a loopback, private or link-local address, which this deployment does not allow (Memic:Connectors:AllowPrivateNetworks).");
        }

        // IPv4 first: it is what a dual-stack database host most often listens on.
        return addresses.OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1).First();
    }

    /// <summary>Loopback, private, shared, link-local, multicast, reserved or unspecified: anything that is not a public unicast address.</summary>
    public static bool IsNonPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b[0] switch
            {
                0 or 10 or 127 => true,
                100 => b[1] is >= 64 and <= 127,           // shared address space (carrier-grade NAT)
                169 => b[1] == 254,                          // link-local, incl. cloud metadata endpoints
                172 => b[1] is >= 16 and <= 31,
                192 => (b[1] == 168) || (b[1] == 0 && b[2] is 0 or 2) || (b[1] == 88 && b[2] == 99),
                198 => b[1] is 18 or 19 || (b[1] == 51 && b[2] == 100),
                203 => b[1] == 0 && b[2] == 113,
                >= 224 => true,                              // multicast, reserved, broadcast
                _ => false,
            };
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return true;
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.IPv6Any) || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal
            || address.IsIPv6Multicast || address.IsIPv6UniqueLocal)
        {
            return true;
        }

        var v6 = address.GetAddressBytes();
        // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) carry an IPv4 address that decides.
        if (v6[0] == 0x00 && v6[1] == 0x64 && v6[2] == 0xff && v6[3] == 0x9b)
        {
            return IsNonPublic(new IPAddress(v6[12..16]));
        }

        if (v6[0] == 0x20 && v6[1] == 0x02)
        {
            return IsNonPublic(new IPAddress(v6[2..6]));
        }

        // Everything outside 2000::/3 is not global unicast.
        return (v6[0] & 0xE0) != 0x20;
    }
}
