using System.Net;
using System.Net.Sockets;

namespace Coffer.Server.Abuse;

/// <summary>
/// The client address that rate limits count against: the connection's remote address (after trusted forwarded
/// headers, see <see cref="Hosting.ReverseProxy"/>). An IPv6 client is counted by its /64, the block one subscriber
/// gets; otherwise a single host could rotate through 2^64 addresses and never be limited.
/// </summary>
public static class ClientAddress
{
    public static string KeyOf(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return KeyOf(context.Connection.RemoteIpAddress);
    }

    internal static string KeyOf(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }
}
