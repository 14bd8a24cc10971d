using System.Net;

namespace OrleansRpc.Middleware.IpFiltering;

/// <summary>The peer's IP address as every middleware compares it: IPv4-mapped IPv6 (<c>::ffff:a.b.c.d</c>) becomes IPv4.</summary>
public static class PeerAddress
{
    /// <summary>The normalized address of <paramref name="endPoint"/>, or null when it is not an IP endpoint.</summary>
    public static IPAddress? From(EndPoint? endPoint) => endPoint is IPEndPoint ip ? Normalize(ip.Address) : null;

    /// <summary>Maps IPv4-mapped IPv6 addresses to IPv4 and drops an IPv6 scope id.</summary>
    public static IPAddress Normalize(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && address.ScopeId != 0)
        {
            return new IPAddress(address.GetAddressBytes());
        }

        return address;
    }

    /// <summary>Python's repr of rap's <c>peer_tuple</c>, e.g. <c>('127.0.0.1', 50000)</c>.</summary>
    public static string PythonTuple(EndPoint? endPoint) => endPoint is IPEndPoint ip
        ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"('{Normalize(ip.Address)}', {ip.Port})")
        : "None";
}
